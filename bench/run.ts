/**
 * `npm run bench`: cold starts, warm middleware overhead, round trips per chat message, posts per
 * streamed reply, time to the first chunk (Bedrock vs echo-stream), the asynchronous hand-off (the chat_message invocation's
 * duration, DynamoDB writes per answer, cancel latency) and end-to-end load through the local gateway. Prints a table per
 * section and writes bench/results/latest.json. Figures are ratios to a baseline measured in the same run (the machine is
 * shared and noisy). `npm run bench -- --only cold,warm,trips,stream,first,handoff,writes,cancel,e2e` runs some sections;
 * `--quick` runs fewer iterations.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { FakeManagementApi } from '#testkit/fake-management-api.ts';
import { ROOT } from '../build/bundle.ts';
import { FUNCTION_NAMES, FUNCTIONS } from '../src/config/function-manifest.ts';
import { createTables } from '../src/local/create-tables.ts';
import { DEV_JWT_SECRET } from '../src/local/dev-config.ts';
import { mintDevToken } from '../src/local/dev-token.ts';
import { startDynamoDbLocal } from '../src/local/dynamodb-local.ts';
import { benchCancelLatency } from './cancel-latency.ts';
import { benchColdStarts } from './cold-start.ts';
import { benchEndToEnd } from './end-to-end.ts';
import { benchFirstChunk } from './first-chunk.ts';
import { benchHandOff } from './hand-off.ts';
import { benchRoundTrips } from './round-trips.ts';
import { benchStreamedPosts } from './streamed-posts.ts';
import { benchWarmOverhead } from './warm-overhead.ts';
import { benchWritesPerAnswer } from './writes-per-answer.ts';

const { values } = parseArgs({
  options: { only: { type: 'string', default: 'cold,warm,trips,stream,first,handoff,writes,cancel,e2e' }, quick: { type: 'boolean', default: false } },
});
const only = new Set(values.only.split(','));
const quick = values.quick;

const printTable = (title: string, method: string, rows: readonly object[]) => {
  console.log(`\n## ${title}\n${method}\n`);
  console.table(rows);
};

const db = await startDynamoDbLocal();
Object.assign(process.env, {
  AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
});
const management = new FakeManagementApi();
await management.start();
const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, quick };

try {
  if (only.has('cold')) {
    const raw = new DynamoDBClient({});
    const tables = await createTables(raw, 'benchcold');
    const client = DynamoDBDocumentClient.from(raw);
    const runs = quick ? 5 : 15;
    const token = await mintDevToken({ user: 'cold-user', ttlSeconds: 3600 });
    // One registered, live connection per function and run, so every first invocation takes its normal path.
    for (const name of FUNCTION_NAMES) {
      for (let run = 0; run < runs; run += 1) {
        const connectionId = `cold-${name}-${run}`;
        management.connect(connectionId);
        await client.send(
          new PutCommand({
            TableName: tables.connections,
            Item: { connectionId, userId: `cold-${run}`, connectedAt: 0, lastSeenAt: 0, expiresAt: Math.floor(Date.now() / 1000) + 3600 },
          }),
        );
      }
    }
    const frames: Record<string, unknown> = {
      message: { action: 'chat_message', data: { message: 'Hello', sessionId: 'cold' } },
      ping: { action: 'ping' },
      history: { action: 'history', data: { sessionId: 'cold' } },
      default: { action: 'dance' },
    };
    const eventFor = (name: string, run: number): unknown => {
      if (name === 'authorizer') return { type: 'REQUEST', methodArn: 'arn:aws:execute-api:us-east-1:1:a/dev/$connect', headers: {}, queryStringParameters: { token } };
      const routeKey = FUNCTIONS.find((spec) => spec.name === name)?.route ?? name;
      return {
        requestContext: {
          routeKey,
          eventType: name === 'connect' ? 'CONNECT' : name === 'disconnect' ? 'DISCONNECT' : 'MESSAGE',
          connectionId: name === 'connect' ? `cold-new-${run}-${Date.now()}` : `cold-${name}-${run}`,
          requestId: `cold-${run}`,
          requestTimeEpoch: Date.now(),
          domainName: 'bench',
          stage: 'dev',
          authorizer: { userId: name === 'connect' ? `cold-new-${run}-${Date.now()}` : `cold-${run}`, tokenExpiresAt: String(Math.floor(Date.now() / 1000) + 3600) },
        },
        headers: {},
        ...(frames[name] ? { body: JSON.stringify(frames[name]) } : {}),
      };
    };
    const rows = await benchColdStarts({
      runs,
      env: {
        ...process.env,
        ENVIRONMENT: 'benchcold',
        CONNECTIONS_TABLE: tables.connections,
        MESSAGES_TABLE: tables.messages,
        WS_MANAGEMENT_ENDPOINT: management.endpoint,
        JWT_SECRET: DEV_JWT_SECRET,
        AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      },
      eventFor,
      floorEventFor: () => ({}),
    });
    raw.destroy();
    results.coldStart = {
      method: `fresh Node processes, ${runs} runs each, interleaved with a floor bundle (same esbuild settings, only the SDK clients the function needs); init = module import time; first invocation = init + one handler call on DynamoDB Local`,
      budget: 'init ≤ 1.25x floor; bundle ≤ floor + 150 KiB',
      rows,
    };
    printTable('Cold start', (results.coldStart as { method: string }).method, rows);
  }

  if (only.has('warm')) {
    const rows = await benchWarmOverhead();
    results.warmOverhead = {
      method: 'bare route function vs its full middleware chain, in-memory adapters, real Powertools writing to /dev/null; median of 5 interleaved rounds of 2000 calls',
      budget: '≤ 50 µs added per invocation',
      rows,
    };
    printTable('Warm overhead (µs per invocation)', (results.warmOverhead as { method: string }).method, rows);
  }

  if (only.has('trips')) {
    const rows = await benchRoundTrips(management, quick ? 10 : 30);
    const [small, large] = rows;
    const ratio = small && large ? Number((large.firstPostMedianMs / small.firstPostMedianMs).toFixed(2)) : Number.NaN;
    results.roundTrips = {
      method: 'the real message chain on DynamoDB Local, an SDK middleware recording every call; messages alternate between a table with 10 and with 10,000 unrelated connections',
      budget: '≤ 3 sequential DynamoDB round trips before the first post; same count and latency ratio ≤ 1.2 at 10 and 10,000',
      rows,
      firstPostLatencyRatio10kTo10: ratio,
    };
    printTable('Round trips per chat_message', (results.roundTrips as { method: string }).method, rows);
    console.log(`first-post latency ratio (10,000 / 10 unrelated connections): ${ratio}`);
  }

  if (only.has('stream')) {
    const rows = await benchStreamedPosts(management);
    results.streamedPosts = {
      method:
        'the real message chain on DynamoDB Local and the loopback @connections API, one user with 5 connections; posts counted at the API, with and without chunk batching; echo-stream, a paced model-like responder, and the bedrock responder (real SDK) on the fake Bedrock at 150 tokens/s',
      budget: 'chunk posts per connection ≤ 1 per 50 ms, plus 1 per 1,000 characters',
      rows,
    };
    printTable('@connections posts per streamed reply', (results.streamedPosts as { method: string }).method, rows);
  }

  if (only.has('first')) {
    const result = await benchFirstChunk(quick ? 60 : 300);
    results.firstChunk = {
      method:
        "the real message chain on in-memory stores (no DynamoDB latency: the backend's own CPU plus loopback HTTP) and a sender that timestamps each post; bedrock = the real SDK on the fake Bedrock in this process at 0 ms a token, the session holding 10 exchanges (a full default context); echo-stream interleaved as the baseline; invocation start → first chat_message_chunk post",
      ...result,
    };
    printTable('Time to the first chunk', (results.firstChunk as { method: string }).method, result.rows);
    console.log(`first-chunk latency, bedrock / echo-stream: p50 ${result.firstChunkRatioP50}, p95 ${result.firstChunkRatioP95}`);
  }

  if (only.has('handoff')) {
    const result = await benchHandOff(management, quick ? 20 : 100);
    results.handOff = {
      method:
        'the real message chain (buildMessage, every middleware) on DynamoDB Local and the loopback @connections API, one user with 3 connections, a 7-word echo-stream answer; hand-off = the invocation returns once the respond job is queued (respond then runs in process, waited for untimed); whole exchange = the same chain waiting for the reply to end; interleaved after 5 warm-up messages each',
      budget: 'the route returns within a few hundred milliseconds',
      ...result,
    };
    printTable('chat_message invocation with the hand-off', (results.handOff as { method: string }).method, result.rows);
    console.log(`hand-off / whole exchange: p50 ${result.ratioP50}, p95 ${result.ratioP95}`);
  }

  if (only.has('writes')) {
    const result = await benchWritesPerAnswer(management);
    results.writesPerAnswer = {
      method:
        "the real message and respond chains in process on DynamoDB Local, one user with 3 connections, the daily token budget on; echo-stream answers; an SDK middleware logs every DynamoDB call under the function that made it and its purpose; streaming time = respond's first call to its last",
      ...result,
    };
    printTable('DynamoDB calls per answer', (results.writesPerAnswer as { method: string }).method, result.summary);
    console.table(result.detail);
  }

  if (only.has('cancel')) {
    const result = await benchCancelLatency(management, quick ? 15 : 50);
    results.cancelLatency = {
      method:
        'the real message chain on DynamoDB Local returning at the hand-off, respond in process streaming a 1,202-word echo-stream answer (10 ms a word) to 3 connections, the real cancel chain invoked after the first chunk at a varying phase of the 250 ms cancel poll; a new session per try; post times when the @connections API answered',
      budget: 'p99 cancel frame → last chunk ≤ 1 s',
      ...result,
    };
    printTable('Cancel latency', (results.cancelLatency as { method: string }).method, result.rows);
    console.log(`replies not ended cancelled: ${result.notCancelled}; p99 to the last chunk within 1 s: ${result.lastChunkP99WithinBudget}`);
  }

  if (only.has('e2e')) {
    const result = await benchEndToEnd(quick ? { clients: 50, messagesPerClient: 5 } : { clients: 200, messagesPerClient: 20 });
    results.endToEnd = { budget: "gateway share p99 ≤ 3x the echo server's p99; 0 lost, 0 doubled", ...result };
    console.log(`\n## End to end through the local gateway\n${result.method}\n`);
    console.table({ gateway: result.gateway, echo: result.echo });
    console.log(`gateway share p99 / echo p99: ${result.gatewayShareToEchoP99} (budget ≤ 3)`);
  }
} finally {
  await management.stop();
  await db.stop();
}

await mkdir(join(ROOT, 'bench', 'results'), { recursive: true });
await writeFile(join(ROOT, 'bench', 'results', 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log('\nWrote bench/results/latest.json');
