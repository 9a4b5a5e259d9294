/**
 * `npm start`: DynamoDB Local, the tables, and the local API Gateway on one port, running the
 * project's handlers. Ctrl-C or SIGTERM stops everything, the Java child included.
 *
 * Environment: PORT (3001), HOST (127.0.0.1), STAGE (dev), ENVIRONMENT (dev), DYNAMODB_DATA_DIR or
 * --data-dir (keep data on disk), DYNAMODB_ENDPOINT (use a running DynamoDB instead), HANDLERS=dist or
 * --dist (run the build's bundles), DEV_USER (alice: the banner's token), FAKE_BEDROCK_TOKENS_PER_SECOND
 * (the fake Bedrock's pace, 40), INTEGRATION_TIMEOUT_MS (29000), LAMBDA_ASYNC_RETRY_DELAYS_MS
 * (60000,120000), LAMBDA_MAX_EVENT_AGE_MS (6 h), RESPOND_TIMEOUT_SECONDS (300: respond's timeout, also
 * handed to the functions), and the functions' optional settings (RATE_LIMIT_BURST, RESPONDER,
 * BEDROCK_MAX_TOKENS, ECHO_STREAM_DELAY_MS, REPLY_PERSIST_INTERVAL_MS, ...: src/local/function-settings.ts).
 *
 * The assistant is the `bedrock` responder, the real SDK path, against a fake Bedrock runtime on
 * loopback (src/local/fake-bedrock) unless RESPONDER says `echo` or `echo-stream`.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createDemoHandler } from './demo-assets.ts';
import { LOCAL_DEFAULTS } from './dev-config.ts';
import { mintDevToken } from './dev-token.ts';
import { type EmulationOptions, emulationOptionsFromEnv } from './emulation-env.ts';
import { authorizerSettingsFromEnv, functionSettingsFromEnv } from './function-settings.ts';
import { type LocalGateway, startLocalGateway } from './gateway/gateway.ts';
import { DEMO_FAULT_MARKERS, fakeTokensPerSecond, LOCAL_MODEL_ID } from './local-assistant.ts';
import { prepareStart } from './prepare-start.ts';

const { values: flags } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    dist: { type: 'boolean', default: false },
  },
});

const port = Number(process.env.PORT ?? LOCAL_DEFAULTS.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, got "${process.env.PORT}"`);
  process.exit(1);
}
let tokensPerSecond: number | undefined;
let emulation: EmulationOptions = {};
try {
  tokensPerSecond = fakeTokensPerSecond(process.env.FAKE_BEDROCK_TOKENS_PER_SECOND);
  emulation = emulationOptionsFromEnv(process.env);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
const stage = process.env.STAGE || LOCAL_DEFAULTS.stage;
const externalDynamoDb = process.env.DYNAMODB_ENDPOINT || undefined;
// Only our own DynamoDB Local keeps data in a folder; an external one (DYNAMODB_ENDPOINT) has its own.
const requestedDataDir = flags['data-dir'] ?? process.env.DYNAMODB_DATA_DIR;
const dataDir = requestedDataDir && !externalDynamoDb ? resolve(requestedDataDir) : undefined;
if (dataDir) mkdirSync(dataDir, { recursive: true });
const handlers = flags.dist || process.env.HANDLERS === 'dist' ? 'dist' : 'source';

// Before anything starts: a missing Java is named with its install command, and the handlers'
// generated validators are compiled (a fresh clone has none), so the first frame never fails.
const preparation = prepareStart({ handlers, externalDynamoDb: Boolean(externalDynamoDb) });
if (!preparation.ready) {
  console.error(preparation.reason);
  process.exit(1);
}
for (const note of preparation.notes) process.stdout.write(`${note}\n`);
const color = process.stdout.isTTY && !process.env.NO_COLOR;
const dim = (text: string) => (color ? `\x1b[2m${text}\x1b[0m` : text);
const bold = (text: string) => (color ? `\x1b[1m${text}\x1b[0m` : text);

// Signals are handled from the start: a Ctrl-C while DynamoDB Local boots still stops the Java child.
let gateway: LocalGateway | undefined;
let stopRequested: string | undefined;
let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) {
    process.stdout.write(`${signal} again: exiting now\n`);
    process.exit(1);
  }
  if (!gateway) {
    stopRequested = signal;
    return;
  }
  stopping = true;
  process.stdout.write(`\n${signal}: closing connections, stopping functions, the fake Bedrock and DynamoDB Local...\n`);
  gateway.stop().then(
    () => {
      process.stdout.write('Stopped.\n');
      process.exit(0);
    },
    (error: unknown) => {
      console.error('Stop failed:', error);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));

const functionEnvironment = functionSettingsFromEnv(process.env);
gateway = await startLocalGateway({
  port,
  host: process.env.HOST || LOCAL_DEFAULTS.host,
  stage,
  environment: process.env.ENVIRONMENT || LOCAL_DEFAULTS.environment,
  handlers,
  devMode: process.env.POWERTOOLS_DEV !== 'false',
  functionEnvironment,
  // The fake Bedrock for the `bedrock` responder (none when RESPONDER names an echo).
  fakeBedrock: tokensPerSecond === undefined ? {} : { tokensPerSecond },
  authorizerEnvironment: authorizerSettingsFromEnv(process.env),
  // Its own DynamoDB Local unless DYNAMODB_ENDPOINT names one (AWS_ENDPOINT_URL_DYNAMODB is ignored here).
  dynamoDbEndpoint: externalDynamoDb,
  ...(dataDir ? { dynamoDbDataDir: dataDir } : {}),
  // The demo chat page (src/demo) and its dev-token endpoint, on the same port.
  onHttpRequest: createDemoHandler({ stage }),
  // API Gateway's integration timeout, Lambda's async retries and maximum event age (INTEGRATION_TIMEOUT_MS, LAMBDA_*).
  ...emulation,
  onLog: (functionName, line) => process.stdout.write(`${dim(functionName.padEnd(10))} ${line}\n`),
  onInvoke: ({ routeKey, functionName, invocationType, attempt, event, outcome }) => {
    const connectionId = (event as { requestContext?: { connectionId?: string } }).requestContext?.connectionId;
    const result = outcome.ok ? 'ok' : `failed: ${outcome.error.errorType}: ${outcome.error.errorMessage}`;
    // A call through the Invoke API names its function and, for an async event's retry, the attempt.
    const what = routeKey === 'Invoke' ? `Invoke ${invocationType} ${functionName}${attempt !== undefined && attempt > 1 ? ` (attempt ${attempt})` : ''}` : routeKey;
    process.stdout.write(`${dim('gateway   ')} ${what} ${connectionId ?? ''} ${result}\n`);
  },
});

const user = process.env.DEV_USER || 'alice';
const token = await mintDevToken({
  user,
  ...(process.env.JWT_ISSUER ? { issuer: process.env.JWT_ISSUER } : {}),
  ...(process.env.JWT_AUDIENCE ? { audience: process.env.JWT_AUDIENCE } : {}),
});
const publicUrl = `ws://localhost:${gateway.port}/${stage}`;
/** Which assistant answers, and (for the fake) how to see it fail from the demo page or wscat. */
const assistantLines = (fake: LocalGateway['fakeBedrock']): string[] => {
  if (!fake) return [`  Assistant            ${functionEnvironment.RESPONDER} (RESPONDER); unset it for the fake Bedrock`];
  const pace = tokensPerSecond === undefined ? '40' : String(tokensPerSecond);
  return [
    `  Assistant            fake Bedrock at ${fake.endpoint} through the real SDK (RESPONDER=bedrock, model ${functionEnvironment.BEDROCK_MODEL_ID ?? LOCAL_MODEL_ID}, ${pace} words/s: FAKE_BEDROCK_TOKENS_PER_SECOND)`,
    '                       a marker in a message makes it fail that answer:',
    ...DEMO_FAULT_MARKERS.map(({ marker, shows }) => `                         ${marker.padEnd(24)} ${shows}`),
  ];
};
const seed = '{"action":"chat_message","data":{"message":"Hello","sessionId":"test-session"}}';
process.stdout.write(
  [
    '',
    bold('Local chatbot gateway is running (API Gateway WebSocket emulation)'),
    '',
    `  WebSocket URL        ${publicUrl}`,
    `  Demo page            http://localhost:${gateway.port}/?user=${user}`,
    `  Management endpoint  http://localhost:${gateway.port}/${stage}/@connections/{connectionId}`,
    `  DynamoDB Local       ${gateway.dynamoDb.endpoint} (${[
      externalDynamoDb ? 'data kept by it' : dataDir ? `data kept in ${dataDir}` : 'in memory',
      gateway.dynamoDb.pid === undefined ? 'external' : `pid ${gateway.dynamoDb.pid}`,
      ...(gateway.staleConnectionRowsCleared > 0 ? [`${gateway.staleConnectionRowsCleared} stale items cleared from the connections table (rows, cap slots, rate buckets)`] : []),
    ].join(', ')})`,
    `  Tables               ${gateway.tables.connections}, ${gateway.tables.messages}`,
    `  Lambda Invoke API    ${gateway.lambdaEndpoint} (the functions' AWS_ENDPOINT_URL_LAMBDA)`,
    `  Handlers             ${handlers === 'dist' ? 'dist/<name>/index.mjs (built bundles)' : 'src/handlers/<name>.ts'}`,
    ...assistantLines(gateway.fakeBedrock),
    `  Dev token (${user}, 1 h; another: npm run token -- --user bob)`,
    `    ${token}`,
    '',
    'Try it (npm i -g wscat, or prefix with npx):',
    `  wscat -c "${publicUrl}?token=${token}"`,
    `  > ${seed}`,
    '',
    'Ctrl-C stops everything.',
    '',
    '',
  ].join('\n'),
);

if (stopRequested) shutdown(stopRequested);
