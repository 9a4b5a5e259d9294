/**
 * `npm run soak`: the long load run. N ChatClients (one user each) send M messages each through the
 * local gateway while random connections are deleted through the management API; afterwards every
 * session is read back from DynamoDB and compared with what each client delivered. Prints the
 * figures; exits 1 on anything lost, doubled, reordered or unfinished.
 *
 *   npm run soak -- --clients 200 --messages 50 --drops-per-second 5
 *
 * Flags (or SOAK_* environment variables): --clients (SOAK_CLIENTS, 200), --messages (SOAK_MESSAGES, 50),
 * --drops-per-second (SOAK_DROPS_PER_SECOND, 5), --pace queue|conversation (SOAK_PACE, queue),
 * --handlers dist|source|auto (SOAK_HANDLERS, auto), --sandboxes (SOAK_SANDBOXES, 4),
 * --deadline-seconds (SOAK_DEADLINE_SECONDS, 1800), --seed (SOAK_SEED, random), --json (print JSON).
 * Uses AWS_ENDPOINT_URL_DYNAMODB when set; otherwise starts its own DynamoDB Local (needs Java).
 */
import { parseArgs } from 'node:util';
import { formatFigures } from '#testkit/load/figures.ts';
import type { Pace } from '#testkit/load/load-run.ts';
import { runScenario } from '#testkit/load/scenario.ts';
import { clean } from '#testkit/load/verify.ts';
import { mintDevToken } from '../src/local/dev-token.ts';
import { type DynamoDbLocal, startDynamoDbLocal } from '../src/local/dynamodb-local.ts';

const usage =
  'usage: npm run soak -- [--clients 200] [--messages 50] [--drops-per-second 5] [--pace queue|conversation] [--handlers auto|dist|source] [--sandboxes 4] [--deadline-seconds 1800] [--seed N] [--json]';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: process.env.SOAK_CLIENTS ?? '200' },
    messages: { type: 'string', default: process.env.SOAK_MESSAGES ?? '50' },
    'drops-per-second': { type: 'string', default: process.env.SOAK_DROPS_PER_SECOND ?? '5' },
    pace: { type: 'string', default: process.env.SOAK_PACE ?? 'queue' },
    handlers: { type: 'string', default: process.env.SOAK_HANDLERS ?? 'auto' },
    sandboxes: { type: 'string', default: process.env.SOAK_SANDBOXES ?? '4' },
    'deadline-seconds': { type: 'string', default: process.env.SOAK_DEADLINE_SECONDS ?? '1800' },
    seed: { type: 'string', default: process.env.SOAK_SEED },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

const wholeNumber = (name: string, text: string | undefined, min: number): number => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    console.error(`--${name} must be an integer ≥ ${min}, got ${text}\n${usage}`);
    process.exit(2);
  }
  return value;
};

if (values.help) {
  console.log(usage);
  process.exit(0);
}
const clients = wholeNumber('clients', values.clients, 1);
const messagesPerClient = wholeNumber('messages', values.messages, 1);
const dropsPerSecond = Number(values['drops-per-second']);
if (!Number.isFinite(dropsPerSecond) || dropsPerSecond < 0) {
  console.error(`--drops-per-second must be a number ≥ 0\n${usage}`);
  process.exit(2);
}
const pace = values.pace as Pace;
const handlers = values.handlers as 'auto' | 'dist' | 'source';
if (!['queue', 'conversation'].includes(pace) || !['auto', 'dist', 'source'].includes(handlers)) {
  console.error(usage);
  process.exit(2);
}
const sandboxes = wholeNumber('sandboxes', values.sandboxes, 1);
const deadlineMs = wholeNumber('deadline-seconds', values['deadline-seconds'], 1) * 1000;
const seed = values.seed === undefined ? undefined : wholeNumber('seed', values.seed, 0);

let ownDynamoDb: DynamoDbLocal | undefined;
if (!process.env.AWS_ENDPOINT_URL_DYNAMODB) ownDynamoDb = await startDynamoDbLocal();
const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB ?? ownDynamoDb?.endpoint;
const log = (line: string) => process.stderr.write(`${line}\n`);
let exitCode = 1;
try {
  log(`soak: ${clients} clients x ${messagesPerClient} messages, ${dropsPerSecond} drops/s, DynamoDB at ${endpoint}`);
  const { figures, verdict } = await runScenario({
    clients,
    messagesPerClient,
    pace,
    dropsPerSecond,
    handlers,
    maxSandboxesPerFunction: sandboxes,
    dynamoDbEndpoint: endpoint,
    token: (user) => mintDevToken({ user }),
    deadlineMs,
    ...(seed === undefined ? {} : { seed }),
    onProgress: (progress) => {
      if (Math.round(progress.elapsedMs / 1000) % Number(process.env.SOAK_PROGRESS_SECONDS ?? 10) !== 0) return;
      log(
        `  ${Math.round(progress.elapsedMs / 1000)} s: ${progress.acknowledged} acknowledged, ${progress.delivered}/${progress.expectedDeliveries} delivered, ${progress.drops} drops, ${progress.reconnects} reconnects`,
      );
    },
  });
  console.log(values.json ? JSON.stringify(figures, null, 2) : formatFigures(figures));
  const passed = clean(verdict);
  if (!passed) log('soak FAILED: messages were lost, doubled, reordered or unfinished (see above)');
  exitCode = passed ? 0 : 1;
} catch (error) {
  log(`soak FAILED: ${(error as Error).stack ?? String(error)}`);
} finally {
  await ownDynamoDb?.stop();
}
process.exit(exitCode);
