/**
 * The functions' optional settings `npm start` takes from its own environment and hands to every
 * function (as the Terraform variables are), and the authorizer's.
 */

/** Handed to every function when set. */
const FUNCTION_SETTINGS: readonly string[] = [
  'MAX_CONNECTIONS_PER_USER',
  'RATE_LIMIT_BURST',
  'RATE_LIMIT_PER_SECOND',
  'CONNECT_RATE_BURST',
  'CONNECT_RATE_PER_SECOND',
  'REFUSAL_LIMIT',
  'REFUSAL_WINDOW_SECONDS',
  'CONNECTION_IDLE_TIMEOUT_SECONDS',
  'MESSAGE_RETENTION_DAYS',
  'RESPONDER',
  'BEDROCK_MODEL_ID',
  'BEDROCK_SYSTEM_PROMPT',
  'BEDROCK_MAX_TOKENS',
  'BEDROCK_TEMPERATURE',
  'BEDROCK_STALL_GAP_MS',
  'BEDROCK_DEADLINE_MARGIN_MS',
  'CONTEXT_MAX_MESSAGES',
  'CONTEXT_MAX_CHARS',
  'DAILY_OUTPUT_TOKENS_PER_USER',
  'STREAM_CHUNK_INTERVAL_MS',
  'STREAM_CHUNK_MAX_CHARS',
  // The hand-off to respond (src/config/respond-config.ts): long echo answers, the reply's persist and
  // cancel pacing, and the respond timeout the message function holds a session's turn for.
  'ECHO_STREAM_DELAY_MS',
  'REPLY_PERSIST_INTERVAL_MS',
  'REPLY_PERSIST_CHARS',
  'CANCEL_POLL_MS',
  'REPLY_STALE_MS',
  'RESPOND_TIMEOUT_SECONDS',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_METRICS_NAMESPACE',
  'POWERTOOLS_LOG_LEVEL',
  'POWERTOOLS_METRICS_DISABLED',
];

/** Handed to the authorizer only. */
const AUTHORIZER_SETTINGS: readonly string[] = ['JWT_ISSUER', 'JWT_AUDIENCE', 'ALLOWED_ORIGINS'];

const pick = (names: readonly string[], env: NodeJS.ProcessEnv): Record<string, string> => Object.fromEntries(names.flatMap((name) => (env[name] ? [[name, env[name]]] : [])));

/** The settings set in `env` that every function gets. */
const functionSettingsFromEnv = (env: NodeJS.ProcessEnv): Record<string, string> => pick(FUNCTION_SETTINGS, env);

/** The settings set in `env` that the authorizer gets. */
const authorizerSettingsFromEnv = (env: NodeJS.ProcessEnv): Record<string, string> => pick(AUTHORIZER_SETTINGS, env);

export { authorizerSettingsFromEnv, functionSettingsFromEnv };
