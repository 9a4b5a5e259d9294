import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { wsEvent } from '#testkit/events.ts';
import type { FakeManagementApi } from '#testkit/fake-management-api.ts';
import { DynamoConnectionStore } from '../src/data/dynamo-connection-store.ts';
import { createManagementApiClient } from '../src/delivery/management-api-sender.ts';
import { type ChunkBatchingOptions, DEFAULT_CHUNK_BATCHING } from '../src/domain/chunk-batcher.ts';
import { type Responder, StreamingEchoResponder } from '../src/domain/responder.ts';
import { createTables } from '../src/local/create-tables.ts';
import { benchLambdaContext } from './support/lambda-context.ts';
import { benchMessageChain } from './support/message-chain.ts';
import { round } from './support/stats.ts';

interface StreamedPostsRow {
  case: string;
  batching: string;
  pieces: number;
  connections: number;
  chunkPostsPerConnection: number;
  postsPerReplyAllConnections: number;
  invocationSeconds: number;
  chunkPostsPerSecondPerConnection: number;
}

const CONNECTIONS = 5;
// Unbatched, a long reply can take longer than API Gateway's 29 s on a busy machine: give it the time, to count every post.
const context: Context = { ...benchLambdaContext, getRemainingTimeInMillis: () => 600_000 };

/** A model-like stream: `pieces` tokens of 5 characters at `perSecond`. */
const pacedResponder = (pieces: number, perSecond: number): Responder => ({
  streams: true,
  async *respond() {
    for (let i = 0; i < pieces; i += 1) {
      await sleep(1000 / perSecond);
      yield `tok${i % 10} `;
    }
  },
});

const runCase = async (
  management: FakeManagementApi,
  label: string,
  responder: Responder,
  message: string,
  pieces: number,
  batching: ChunkBatchingOptions,
): Promise<StreamedPostsRow> => {
  const raw = new DynamoDBClient({});
  const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const names = await createTables(raw, `benchstream${Date.now() % 1_000_000}`);
  const connections = new DynamoConnectionStore(client, names.connections, 600);
  const ids = Array.from({ length: CONNECTIONS }, (_, i) => `stream-${label.length}-${Date.now()}-${i}`);
  for (const connectionId of ids) {
    management.connect(connectionId);
    await connections.register({ connectionId, userId: 'bench-user', connectedAt: Date.now(), lastSeenAt: Date.now(), expiresAt: Math.floor(Date.now() / 1000) + 3600 });
  }
  const managementClient = createManagementApiClient(management.endpoint);
  const clock = { nowMs: () => Date.now() };
  const chain = benchMessageChain({
    client,
    messagesTable: names.messages,
    connections,
    responder,
    clock,
    managementEndpoint: management.endpoint,
    managementClient,
    chunkBatching: batching,
  });
  const before = management.calls.length;
  const started = performance.now();
  await chain(
    wsEvent({
      connectionId: ids[0] as string,
      userId: 'bench-user',
      body: { action: 'chat_message', data: { message, sessionId: 'bench-stream' } },
      routeKey: 'chat_message',
      tokenExpiresAt: 4e9,
    }),
    context,
  );
  const invocationSeconds = (performance.now() - started) / 1000;
  const posts = management.calls.slice(before).filter((call) => call.method === 'POST' && ids.includes(call.connectionId));
  const chunkPosts = posts.filter((call) => call.connectionId === ids[0] && call.body.includes('"chat_message_chunk"'));
  raw.destroy();
  managementClient.destroy();
  return {
    case: label,
    batching: batching.maxChars === 1 ? 'none (one post per piece, as before)' : `${batching.intervalMs} ms / ${batching.maxChars} chars`,
    pieces,
    connections: CONNECTIONS,
    chunkPostsPerConnection: chunkPosts.length,
    postsPerReplyAllConnections: posts.length,
    invocationSeconds: round(invocationSeconds),
    chunkPostsPerSecondPerConnection: round(chunkPosts.length / invocationSeconds, 1),
  };
};

/**
 * Method: the real message chain on DynamoDB Local and the loopback @connections API, one user with
 * five connections; posts counted at the API. An echo-stream reply to a 4,000-character message of
 * 1,334 words (no delay between pieces), and a model-like stream of 300 five-character tokens at
 * 150 a second; each with today's batching and without (maxChars 1: one post per piece, as before).
 */
const benchStreamedPosts = async (management: FakeManagementApi): Promise<StreamedPostsRow[]> => {
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    const echoMessage = `${'ab '.repeat(1333)}x`;
    const echoPieces = `You said: ${echoMessage}`.match(/\S+\s*/g)?.length ?? 0;
    const unbatched = { intervalMs: 0, maxChars: 1 };
    const rows: StreamedPostsRow[] = [];
    for (const batching of [unbatched, DEFAULT_CHUNK_BATCHING]) {
      rows.push(await runCase(management, 'echo-stream, 4,000 chars', new StreamingEchoResponder(), echoMessage, echoPieces, batching));
      rows.push(await runCase(management, 'model-like, 150 tokens/s for 2 s', pacedResponder(300, 150), 'hello', 300, batching));
    }
    return rows;
  } finally {
    process.stdout.write = write;
  }
};

export type { StreamedPostsRow };
export { benchStreamedPosts };
