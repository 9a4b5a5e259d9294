/**
 * `npm run fuzz [-- --frames 100000 --db-frames 20000 --workers 8 --seed 42]`: the long fuzz run of
 * issue 7. Generated client frames (testkit/hardening/frames.ts: valid ones and every kind of
 * broken one) are judged against the protocol oracle in two passes:
 *  1. `--frames` through the route chains exactly as the handlers compose them (real Middy engine,
 *     Powertools, compiled validators, route factories) on in-memory stores and sender;
 *  2. `--db-frames` through the real handlers, loaded as Lambda loads them, on DynamoDB Local with a
 *     loopback @connections API; afterwards the tables must hold exactly what the valid frames wrote.
 * (DynamoDB Local answers a few dozen frames a second on a shared 2-core machine, hence the split;
 * `--db-frames 100000` runs the whole long run against it.) Each worker is one user on one connection,
 * sending one frame at a time. Prints the counts; exits non-zero on any problem.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { lambdaContext, wsEvent } from '#testkit/events.ts';
import { clientFrame, type Route, routeOf } from '#testkit/hardening/frames.ts';
import { FrameJudge, totalCounts } from '#testkit/hardening/judge.ts';
import { InMemoryConnectionStore } from '#testkit/in-memory-connection-store.ts';
import { InMemoryMessageStore } from '#testkit/in-memory-message-store.ts';
import { inMemoryAdapters } from '#testkit/in-process-invoker.ts';
import { RecordingSender } from '#testkit/recording-sender.ts';
import { bucketKey } from '../src/data/gcra-bucket.ts';
import { createTables } from '../src/local/create-tables.ts';
import { type DynamoDbLocal, startDynamoDbLocal } from '../src/local/dynamodb-local.ts';

const { values } = parseArgs({
  options: {
    frames: { type: 'string', default: '100000' },
    'db-frames': { type: 'string', default: '20000' },
    workers: { type: 'string', default: '8' },
    seed: { type: 'string' },
  },
});
const FRAMES = Number(values.frames);
const DB_FRAMES = Number(values['db-frames']);
const WORKERS = Number(values.workers);
const SEED = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
if (!Number.isInteger(FRAMES) || FRAMES < 0 || !Number.isInteger(DB_FRAMES) || DB_FRAMES < 0 || !Number.isInteger(WORKERS) || WORKERS < 1 || !Number.isInteger(SEED)) {
  console.error('usage: npm run fuzz -- [--frames 100000] [--db-frames 20000] [--workers 8] [--seed <int>]');
  process.exit(2);
}
/** One token per 1000 s and a burst above any worker's share: the bucket's timestamp then counts admissions. */
const INTERVAL_MS = 1_000_000;
const BATCH = 500;
const MAX_PROBLEMS_SHOWN = 10;

/* ------------------------------------------------ the handlers' output, captured and scanned */

const realStdout = process.stdout.write.bind(process.stdout);
const say = (text: string) => realStdout(`${text}\n`);
const logs = { lines: 0, errorLevel: 0, internalServerError: 0, samples: [] as string[] };
const capture = (chunk: unknown): boolean => {
  const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    logs.lines += 1;
    if (line.includes('"level":"ERROR"')) {
      logs.errorLevel += 1;
      if (logs.samples.length < 3) logs.samples.push(line.slice(0, 600));
    }
    if (line.includes('Internal server error')) logs.internalServerError += 1;
  }
  return true;
};
process.stdout.write = ((chunk: unknown) => capture(chunk)) as typeof process.stdout.write;
process.stderr.write = ((chunk: unknown) => capture(chunk)) as typeof process.stderr.write;

const processFaults: string[] = [];
process.on('unhandledRejection', (reason) => processFaults.push(`unhandled rejection: ${String(reason)}`));
process.on('uncaughtException', (error) => processFaults.push(`uncaught exception: ${error.stack ?? String(error)}`));

/* ------------------------------------------------ driving workers */

const HANDLER_FOR = { chat_message: 'message', ping: 'ping', history: 'history', $default: 'default' } as const;

interface Worker {
  judge: FrameJudge;
  /** Sends one raw frame; resolves with what the handler returned and the frames the connection got. */
  send(raw: string, route: Route): Promise<{ result: { statusCode?: number } | undefined; frames: Array<Record<string, any>> }>;
}

interface PassResult {
  label: string;
  judges: FrameJudge[];
  sent: number;
  seconds: number;
  problems: string[];
  checks: string[];
}

/** Runs `total` frames over `workers` workers (each one frame at a time), judging each answer. */
const drive = async (label: string, total: number, makeWorker: (index: number) => Promise<Worker>, seedOffset: number) => {
  const started = Date.now();
  const problems: string[] = [];
  const workers = await Promise.all(Array.from({ length: WORKERS }, (_, index) => makeWorker(index)));
  let sent = 0;
  let nextReport = Date.now() + 15_000;
  await Promise.all(
    workers.map(async (worker, index) => {
      const share = Math.floor(total / WORKERS) + (index < total % WORKERS ? 1 : 0);
      for (let offset = 0; offset < share; offset += BATCH) {
        const frames = fc.sample(clientFrame, { numRuns: Math.min(BATCH, share - offset), seed: (SEED + seedOffset + index * 1_000_003 + offset) % 2 ** 31 });
        for (const raw of frames) {
          const route = routeOf(raw);
          let outcome: Awaited<ReturnType<Worker['send']>>;
          try {
            outcome = await worker.send(raw, route);
          } catch (error) {
            problems.push(`handler threw ${String(error)} [frame ${JSON.stringify(raw.slice(0, 200))}]`);
            outcome = { result: { statusCode: -1 }, frames: [] };
          }
          problems.push(...worker.judge.check(raw, outcome.frames, outcome.result ?? { statusCode: -1 }));
          sent += 1;
          if (Date.now() > nextReport) {
            nextReport = Date.now() + 15_000;
            say(`  ${label}: ${sent} frames, ${Math.round(sent / ((Date.now() - started) / 1000))}/s, ${problems.length} problems`);
          }
        }
      }
    }),
  );
  return { label, judges: workers.map((worker) => worker.judge), sent, seconds: (Date.now() - started) / 1000, problems, checks: [] } as PassResult;
};

/* ------------------------------------------------ pass 1: the composed chains, in memory */

const chainsPass = async (): Promise<PassResult> => {
  const { logger, metrics, tracer } = await import('../src/observability/powertools.ts');
  const { SenderPool } = await import('../src/delivery/management-api-sender.ts');
  const { createRoutes } = await import('../src/runtime/create-routes.ts');
  const { unthrottledPolicies } = await import('#testkit/policies.ts');
  const { functionForRoute } = await import('../src/config/function-manifest.ts');
  const tools = { logger, metrics, tracer };
  const clock = { nowMs: () => Date.now() };
  const stores: Array<{ admissions: number; writes: number; judge: FrameJudge }> = [];

  const pass = await drive(
    'chains',
    FRAMES,
    async (index) => {
      const counted = { admissions: 0, writes: 0 };
      const connections = new InMemoryConnectionStore();
      const admit = connections.admitFrame.bind(connections);
      connections.admitFrame = (...args) => {
        counted.admissions += 1;
        return admit(...args);
      };
      const messages = new InMemoryMessageStore();
      const saveUser = messages.saveUserMessage.bind(messages);
      const saveAssistant = messages.saveAssistantMessage.bind(messages);
      messages.saveUserMessage = (message) => {
        counted.writes += 1;
        return saveUser(message);
      };
      messages.saveAssistantMessage = (message) => {
        counted.writes += 1;
        return saveAssistant(message);
      };
      const sender = new RecordingSender();
      const senders = new SenderPool('http://unused', () => sender);
      const routes = createRoutes(inMemoryAdapters({ tools, clock, senders, connections, messages }), unthrottledPolicies());
      const userId = `chains-${index}`;
      const connectionId = `M${String(index).padStart(3, '0')}${randomUUID().slice(0, 11)}=`;
      await connections.register({ connectionId, userId, connectedAt: 0, lastSeenAt: 0, expiresAt: 4_000_000_000 });
      const judge = new FrameJudge(userId, connectionId);
      stores.push(Object.assign(counted, { judge }));
      return {
        judge,
        send: async (raw, route) => {
          const result = await routes[functionForRoute(route) ?? 'default'](
            wsEvent({ connectionId, userId, body: raw, routeKey: route }),
            lambdaContext(`fuzz-websocket-${HANDLER_FOR[route]}`),
          );
          const frames = sender.posts.map((post) => post.frame as Record<string, any>);
          sender.posts.length = 0;
          return { result, frames };
        },
      };
    },
    0,
  );
  let admissions = 0;
  let writes = 0;
  let expectedAdmissions = 0;
  let expectedWrites = 0;
  for (const store of stores) {
    admissions += store.admissions;
    writes += store.writes;
    expectedAdmissions += store.judge.admitted;
    expectedWrites += 2 * (store.judge.counts.chat ?? 0) + (store.judge.counts.duplicate ?? 0);
  }
  if (admissions !== expectedAdmissions) pass.problems.push(`chains: ${admissions} rate-limit writes, ${expectedAdmissions} expected`);
  if (writes !== expectedWrites) pass.problems.push(`chains: ${writes} message writes, ${expectedWrites} expected`);
  pass.checks.push(
    `rate-limit writes:      ${admissions} (valid frames: ${expectedAdmissions})`,
    `message-store writes:   ${writes} (expected from the valid frames: ${expectedWrites})`,
  );
  return pass;
};

/* ------------------------------------------------ pass 2: the real handlers on DynamoDB Local */

/** Frames posted per connection; unknown connections answer 410 GoneException, as API Gateway does. */
const posted = new Map<string, Array<Record<string, any>>>();
const connectionsApi = createServer((request: IncomingMessage, response: ServerResponse) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const connectionId = decodeURIComponent(/^\/fuzz\/@connections\/([^/?]+)/.exec(request.url ?? '')?.[1] ?? '');
    const inbox = posted.get(connectionId);
    if (!inbox) {
      response.writeHead(410, { 'content-type': 'application/json', 'x-amzn-ErrorType': 'GoneException' }).end('{"message":"Gone"}');
      return;
    }
    if (request.method === 'POST') inbox.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, any>);
    response.writeHead(200, { 'content-type': 'application/json' }).end();
  });
});

const handlersPass = async (): Promise<PassResult> => {
  let dynamoDb: DynamoDbLocal | undefined;
  if (!process.env.AWS_ENDPOINT_URL_DYNAMODB) {
    dynamoDb = await startDynamoDbLocal();
    process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamoDb.endpoint;
  }
  await new Promise<void>((resolve) => connectionsApi.listen(0, '127.0.0.1', resolve));
  const raw = new DynamoDBClient({});
  const db = DynamoDBDocumentClient.from(raw);
  try {
    const tables = await createTables(raw, process.env.ENVIRONMENT as string);
    const { dynamoRoutes } = await import('#testkit/routes.ts');
    const { functionForRoute } = await import('../src/config/function-manifest.ts');
    const { routes } = dynamoRoutes({
      tables,
      managementEndpoint: `http://127.0.0.1:${(connectionsApi.address() as AddressInfo).port}/fuzz`,
      settings: {
        RATE_LIMIT_BURST: '10000',
        RATE_LIMIT_PER_SECOND: String(1000 / INTERVAL_MS),
        // Refusals never close a fuzzed connection (each sends thousands of invalid frames on purpose): the largest limit allowed.
        REFUSAL_LIMIT: '100000',
      },
    });
    say(`handlers pass: DynamoDB Local at ${process.env.AWS_ENDPOINT_URL_DYNAMODB}`);
    const startedAt: number[] = [];
    const pass = await drive(
      'handlers',
      DB_FRAMES,
      async (index) => {
        const userId = `fuzz-${index}`;
        const connectionId = `F${String(index).padStart(3, '0')}${randomUUID().slice(0, 11)}=`;
        const connected = await routes.connect(wsEvent({ connectionId, userId, routeKey: '$connect' }), lambdaContext('fuzz-websocket-connect'));
        if (connected?.statusCode !== 200) throw new Error(`$connect for ${userId} answered ${JSON.stringify(connected)}`);
        const inbox: Array<Record<string, any>> = [];
        posted.set(connectionId, inbox);
        startedAt[index] = Date.now();
        return {
          judge: new FrameJudge(userId, connectionId),
          send: async (raw, route) => {
            const result = await routes[functionForRoute(route) ?? 'default'](
              wsEvent({ connectionId, userId, body: raw, routeKey: route }),
              lambdaContext(`fuzz-websocket-${HANDLER_FOR[route]}`),
            );
            const frames = inbox.splice(0, inbox.length);
            return { result, frames };
          },
        };
      },
      7_919,
    );

    // The tables must hold exactly what the valid frames wrote: the messages, and one bucket token per admitted frame.
    const items = new Map<string, number>();
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await db.send(new ScanCommand({ TableName: tables.messages, ExclusiveStartKey: startKey, ProjectionExpression: 'sessionKey' }));
      for (const item of page.Items ?? []) {
        const user = String(item.sessionKey).split('#')[0] as string;
        items.set(user, (items.get(user) ?? 0) + 1);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    let storedItems = 0;
    let expectedItems = 0;
    let bucketAdmitted = 0;
    let expectedAdmitted = 0;
    for (const [index, judge] of pass.judges.entries()) {
      const stored = items.get(judge.userId) ?? 0;
      storedItems += stored;
      expectedItems += judge.expectedItems;
      if (stored !== judge.expectedItems) pass.problems.push(`${judge.userId}: ${stored} items stored, ${judge.expectedItems} expected`);
      const row = (await db.send(new GetCommand({ TableName: tables.connections, Key: { connectionId: bucketKey('frames', judge.userId) }, ConsistentRead: true }))).Item;
      // rateTat = (first admission) + admitted × interval, and the first admission came after startedAt.
      const admitted = row?.rateTat === undefined ? 0 : Math.floor(((row.rateTat as number) - (startedAt[index] as number)) / INTERVAL_MS);
      bucketAdmitted += admitted;
      expectedAdmitted += judge.admitted;
      if (admitted !== judge.admitted) pass.problems.push(`${judge.userId}: the bucket counted ${admitted} admitted frames, ${judge.admitted} expected`);
    }
    pass.checks.push(
      `messages table:         ${storedItems} items stored (expected from the valid frames: ${expectedItems})`,
      `rate-limit bucket:      ${bucketAdmitted} frames took a token (valid frames: ${expectedAdmitted})`,
    );
    return pass;
  } finally {
    db.destroy();
    connectionsApi.closeAllConnections();
    await new Promise<void>((resolve) => connectionsApi.close(() => resolve()));
    await dynamoDb?.stop();
  }
};

/* ------------------------------------------------ the report */

const report = (pass: PassResult) => {
  const counts = totalCounts(pass.judges);
  const valid = (counts.chat ?? 0) + (counts.duplicate ?? 0) + (counts.pong ?? 0) + (counts.history ?? 0);
  say('');
  say(`${pass.label === 'chains' ? 'Composed route chains (in-memory adapters)' : 'Real handlers on DynamoDB Local'}`);
  say(`frames sent:            ${pass.sent} in ${pass.seconds.toFixed(1)} s (${Math.round(pass.sent / pass.seconds)}/s)`);
  say(
    `accepted (valid):       ${valid}  chat_message ${counts.chat ?? 0}, resent clientMessageId ${counts.duplicate ?? 0}, ping ${counts.pong ?? 0}, history ${counts.history ?? 0}`,
  );
  say(
    `refused (invalid):      ${pass.sent - valid}  VALIDATION_ERROR ${counts.VALIDATION_ERROR ?? 0}, UNKNOWN_ACTION ${counts.UNKNOWN_ACTION ?? 0}, BAD_REQUEST ${counts.BAD_REQUEST ?? 0}`,
  );
  for (const check of pass.checks) say(check);
  say(`problems:               ${pass.problems.length}`);
  for (const problem of pass.problems.slice(0, MAX_PROBLEMS_SHOWN)) say(`  - ${problem}`);
  if (pass.problems.length > MAX_PROBLEMS_SHOWN) say(`  … and ${pass.problems.length - MAX_PROBLEMS_SHOWN} more`);
};

const main = async (): Promise<number> => {
  Object.assign(process.env, {
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
    ENVIRONMENT: `fuzz${randomUUID().slice(0, 8)}`,
  });
  say(`fuzz: ${FRAMES} frames through the composed chains, ${DB_FRAMES} through the real handlers on DynamoDB Local; ${WORKERS} workers, seed ${SEED}`);
  const passes: PassResult[] = [];
  if (FRAMES > 0) passes.push(await chainsPass());
  if (DB_FRAMES > 0) passes.push(await handlersPass());
  for (const pass of passes) report(pass);
  const problems = passes.reduce((sum, pass) => sum + pass.problems.length, 0) + logs.errorLevel + logs.internalServerError + processFaults.length;
  say('');
  say(`handler log lines:      ${logs.lines} (ERROR level: ${logs.errorLevel}, "Internal server error": ${logs.internalServerError})`);
  for (const sample of logs.samples) say(`  - ${sample}`);
  say(`unhandled rejections:   ${processFaults.length}`);
  for (const fault of processFaults.slice(0, MAX_PROBLEMS_SHOWN)) say(`  - ${fault}`);
  say(problems === 0 ? 'fuzz: OK' : `fuzz: FAILED (reproduce with --seed ${SEED})`);
  return problems === 0 ? 0 : 1;
};

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    say(`fuzz: crashed: ${(error as Error)?.stack ?? String(error)}`);
    process.exit(1);
  },
);
