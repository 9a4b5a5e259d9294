import type { BedrockResponderSettings } from '../adapters/bedrock/bedrock-responder.ts';
import { DEFAULT_CONVERSATION_BUDGET } from '../domain/conversation.ts';
import { ConfigurationError, type EnvironmentSource, numberEnv, optionalEnv, requiredEnv } from './env.ts';

/** Defaults of the assistant's configuration (README, "The assistant"). */
const ASSISTANT_DEFAULTS = {
  maxTokens: 1024,
  stallGapMs: 10_000,
  deadlineMarginMs: 3_000,
  /** About 100 long answers a day per user; one answer of maxTokens costs a few cents on a small model. */
  dailyOutputTokensPerUser: 100_000,
} as const;

/** Where the Bedrock client connects: the fake locally (an endpoint and dummy credentials), Bedrock itself on AWS. */
interface BedrockConnection {
  /** `BEDROCK_ENDPOINT`: set only to point at the local fake. */
  endpoint?: string;
  /** `BEDROCK_REGION`, else the function's own Region. */
  region?: string;
}

/** The most output tokens one reply may have (`BEDROCK_MAX_TOKENS`): also what each question reserves from the budget. */
const loadBedrockMaxTokens = (source: EnvironmentSource = process.env): number =>
  numberEnv('BEDROCK_MAX_TOKENS', ASSISTANT_DEFAULTS.maxTokens, { min: 1, max: 100_000, integer: true }, source);

/**
 * The `bedrock` responder's settings (`RESPONDER=bedrock`): `BEDROCK_MODEL_ID` (a model id or an
 * inference profile id or ARN) is required; everything else has a default.
 * @throws ConfigurationError naming the variable that is missing or out of bounds.
 */
const loadBedrockSettings = (source: EnvironmentSource = process.env): BedrockResponderSettings => {
  const temperature = optionalEnv('BEDROCK_TEMPERATURE', source) === undefined ? undefined : numberEnv('BEDROCK_TEMPERATURE', 0, { min: 0, max: 1 }, source);
  const systemPrompt = optionalEnv('BEDROCK_SYSTEM_PROMPT', source);
  return {
    modelId: requiredEnv('BEDROCK_MODEL_ID', source),
    maxTokens: loadBedrockMaxTokens(source),
    ...(temperature === undefined ? {} : { temperature }),
    ...(systemPrompt === undefined ? {} : { systemPrompt }),
    budget: {
      maxMessages: numberEnv('CONTEXT_MAX_MESSAGES', DEFAULT_CONVERSATION_BUDGET.maxMessages, { min: 1, max: 500, integer: true }, source),
      maxChars: numberEnv('CONTEXT_MAX_CHARS', DEFAULT_CONVERSATION_BUDGET.maxChars, { min: 1, max: 1_000_000, integer: true }, source),
    },
    stallGapMs: numberEnv('BEDROCK_STALL_GAP_MS', ASSISTANT_DEFAULTS.stallGapMs, { min: 100, max: 600_000, integer: true }, source),
    deadlineMarginMs: numberEnv('BEDROCK_DEADLINE_MARGIN_MS', ASSISTANT_DEFAULTS.deadlineMarginMs, { min: 0, max: 60_000, integer: true }, source),
  };
};

const loadBedrockConnection = (source: EnvironmentSource = process.env): BedrockConnection => {
  const endpoint = optionalEnv('BEDROCK_ENDPOINT', source);
  const region = optionalEnv('BEDROCK_REGION', source);
  if (endpoint !== undefined && !URL.canParse(endpoint)) throw new ConfigurationError(`Environment variable BEDROCK_ENDPOINT must be a URL, got "${endpoint}"`);
  return { ...(endpoint === undefined ? {} : { endpoint }), ...(region === undefined ? {} : { region }) };
};

/**
 * Output tokens a user may spend per UTC day (`DAILY_OUTPUT_TOKENS_PER_USER`). Every question reserves
 * `maxTokens`, so a limit below it would refuse every question: that is a configuration error.
 */
const loadDailyOutputTokens = (maxTokens: number, source: EnvironmentSource = process.env): number => {
  const limit = numberEnv('DAILY_OUTPUT_TOKENS_PER_USER', ASSISTANT_DEFAULTS.dailyOutputTokensPerUser, { min: 1, max: 1_000_000_000, integer: true }, source);
  if (limit < maxTokens) {
    throw new ConfigurationError(
      `Environment variable DAILY_OUTPUT_TOKENS_PER_USER (${limit}) must be at least BEDROCK_MAX_TOKENS (${maxTokens}): each question reserves that many`,
    );
  }
  return limit;
};

export type { BedrockConnection };
export { ASSISTANT_DEFAULTS, loadBedrockConnection, loadBedrockMaxTokens, loadBedrockSettings, loadDailyOutputTokens };
