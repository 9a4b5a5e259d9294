import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { wsEvent } from '#testkit/events.ts';
import type { FakeManagementApi } from '#testkit/fake-management-api.ts';
import { createBedrockClient } from '../src/adapters/bedrock/bedrock-client.ts';
import { BedrockResponder } from '../src/adapters/bedrock/bedrock-responder.ts';
import { loadBedrockSettings } from '../src/config/assistant-config.ts';
import { loadChunkBatching } from '../src/config/streaming-config.ts';
import { DynamoConnectionStore } from '../src/data/dynamo-connection-store.ts';
import { DynamoMessageStore } from '../src/data/dynamo-message-store.ts';
import { createManagementApiClient } from '../src/delivery/management-api-sender.ts';
import type { ChunkBatchingOptions } from '../src/domain/chunk-batcher.ts';
import type { HistorySource } from '../src/domain/model-reply.ts';
import { echoResponder, type Responder, StreamingEchoResponder } from '../src/domain/responder.ts';
import { createTables } from '../src/local/create-tables.ts';
import { words } from '../src/local/fake-bedrock/converse-request.ts';
import { startFakeBedrock } from '../src/local/fake-bedrock/fake-bedrock.ts';
import { benchLambdaContext } from './support/lambda-context.ts';
import { benchMessageChain } from './support/message-chain.ts';
import { PostTimer, type TimedPost } from './support/post-timer.ts';
import { round } from './support/stats.ts';

interface StreamedPostsRow {
  case: string;
  batching: string;
  /** The responder's deltas (for Bedrock: the model's contentBlockDelta events, one per word from the fake). */
  pieces: number;
  /** Pieces over the invocation's seconds: the rate the responder really produced at on this machine. */
  piecesPerSecond: number;
  connections: number;
  chunkPostsPerConnection: number;
  postsPerReplyAllConnections: number;
  invocationSeconds: number;
  chunkPostsPerSecondPerConnection: number;
  /** The busiest connection's chunk posts a second between its first and last chunk (times the posts were sent). */
  chunkPostsPerSecondWhileStreaming: number;
  /** The most chunk posts one connection got within any 1 s (budget: 20, plus 1 per 1,000 characters). */
  peakChunkPostsIn1s: number;
  /**
   * The most flushes of the chunk batcher within any 1 s (a flush = a seq's first post): its own pacing.
   * A connection's peak can exceed it: a fan-out posts to 8 connections at a time, so one connection's
   * post can leave late in one flush and early in the next.
   */
  peakFlushesIn1s: number;
  /** The shortest time between two flushes' first posts (the batcher's interval is 50 ms). */
  minFlushGapMs: number;
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

interface StreamCase {
  label: string;
  /** Given the session's history (the messages table), the responder to answer with. */
  responderFor: (history: HistorySource) => Responder;
  message: string;
  /** The deltas the reply comes in, known in advance or counted from the reply text. */
  pieces: number | ((reply: string) => number);
  /** @default CONNECTIONS */
  connections?: number;
  /** Run with the functions' batching only (one post per piece would take minutes at N connections). */
  batchedOnly?: boolean;
}

/** The most of these (sorted) times within any 1 s: times 50 ms apart make at most 20 in a window shorter than 1 s. */
const peakIn1s = (times: readonly number[]): number => {
  let peak = 0;
  let first = 0;
  for (let last = 0; last < times.length; last += 1) {
    while ((times[last] as number) - (times[first] as number) >= 1000) first += 1;
    peak = Math.max(peak, last - first + 1);
  }
  return peak;
};

/** Over every connection: the highest chunk-post rate between its first and last chunk, and the most posts sent within any 1 s. */
const chunkRates = (posts: readonly TimedPost[], ids: readonly string[]) => {
  const chunks = posts.filter((post) => post.type === 'chat_message_chunk' && ids.includes(post.connectionId));
  let perSecond = 0;
  let peak = 0;
  for (const connectionId of ids) {
    const times = chunks.filter((post) => post.connectionId === connectionId).map((post) => post.sentAt);
    const spanMs = (times.at(-1) ?? 0) - (times[0] ?? 0);
    // n posts make n - 1 intervals: the rate the connection saw while the answer streamed.
    if (spanMs > 0) perSecond = Math.max(perSecond, ((times.length - 1) * 1000) / spanMs);
    peak = Math.max(peak, peakIn1s(times));
  }
  const flushes = new Map<number | undefined, number>();
  for (const post of chunks) flushes.set(post.seq, Math.min(flushes.get(post.seq) ?? Number.POSITIVE_INFINITY, post.sentAt));
  const flushTimes = [...flushes.values()].sort((a, b) => a - b);
  const minFlushGapMs = Math.min(...flushTimes.slice(1).map((time, i) => time - (flushTimes[i] as number)));
  return { chunkPostsPerSecondWhileStreaming: round(perSecond, 1), peakChunkPostsIn1s: peak, peakFlushesIn1s: peakIn1s(flushTimes), minFlushGapMs: round(minFlushGapMs, 1) };
};

/** The text of the assistant's final chat_message among `posts`. */
const replyText = (posts: ReadonlyArray<{ body: string }>): string => {
  for (const post of posts) {
    const frame = JSON.parse(post.body) as { type?: string; data?: { role?: string; message?: string } };
    if (frame.type === 'chat_message' && frame.data?.role === 'assistant') return frame.data.message ?? '';
  }
  return '';
};

const registerConnections = async (management: FakeManagementApi, connections: DynamoConnectionStore, ids: readonly string[]): Promise<void> => {
  for (const connectionId of ids) {
    management.connect(connectionId);
    await connections.register({ connectionId, userId: 'bench-user', connectedAt: Date.now(), lastSeenAt: Date.now(), expiresAt: Math.floor(Date.now() / 1000) + 3600 });
  }
};

const runCase = async (management: FakeManagementApi, streamCase: StreamCase, batching: ChunkBatchingOptions): Promise<StreamedPostsRow> => {
  const { label, message } = streamCase;
  const raw = new DynamoDBClient({});
  const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const names = await createTables(raw, `benchstream${Date.now() % 1_000_000}`);
  const connections = new DynamoConnectionStore(client, names.connections, 600);
  const connectionCount = streamCase.connections ?? CONNECTIONS;
  const ids = Array.from({ length: connectionCount }, (_, i) => `stream-${label.length}-${Date.now()}-${i}`);
  await registerConnections(management, connections, ids);
  const managementClient = createManagementApiClient(management.endpoint);
  const timer = new PostTimer();
  timer.attach(managementClient);
  const clock = { nowMs: () => Date.now() };
  const chain = benchMessageChain({
    client,
    messagesTable: names.messages,
    connections,
    responder: streamCase.responderFor(new DynamoMessageStore(client, names.messages, 30)),
    clock,
    managementEndpoint: management.endpoint,
    managementClient,
    chunkBatching: batching,
  });
  // The reply streams in the respond function now: it gets the long deadline too.
  chain.invoker.context = () => context;
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
  // A reply that failed posts no chunk: the row would read as a perfect score, so stop here (the chain logged the error to stderr).
  if (chunkPosts.length === 0) throw new Error(`streamed posts, ${label}: no chunk was posted; the reply failed`);
  const pieces = typeof streamCase.pieces === 'number' ? streamCase.pieces : streamCase.pieces(replyText(posts));
  raw.destroy();
  managementClient.destroy();
  return {
    case: label,
    batching: batching.maxChars === 1 ? 'none (one post per piece, as before)' : `${batching.intervalMs} ms / ${batching.maxChars} chars`,
    pieces,
    piecesPerSecond: round(pieces / invocationSeconds, 1),
    connections: connectionCount,
    chunkPostsPerConnection: chunkPosts.length,
    postsPerReplyAllConnections: posts.length,
    invocationSeconds: round(invocationSeconds),
    chunkPostsPerSecondPerConnection: round(chunkPosts.length / invocationSeconds, 1),
    ...chunkRates(timer.posts, ids),
  };
};

/**
 * Method: the real message chain on DynamoDB Local and the loopback @connections API, one user with
 * five connections; posts counted at the API. An echo-stream reply to a 4,000-character message of
 * 1,334 words (no delay between pieces); a model-like stream of 300 five-character tokens at 150 a
 * second; and the Bedrock responder (real SDK) on the fake Bedrock at 150 tokens a second, asked a
 * question that makes its answer 300 words (one delta each). Each with the functions' batching
 * (loadChunkBatching's defaults) and without (maxChars 1: one post per piece, as before). Batched
 * only: a long echo-stream answer, 600 words at 10 ms a word (about 6 s), to 5 and to 20 connections.
 * Each post is timed when the API answered it, for the rate each connection sees while the answer streams.
 */
const benchStreamedPosts = async (management: FakeManagementApi): Promise<StreamedPostsRow[]> => {
  const fake = await startFakeBedrock({ tokensPerSecond: 150 });
  const client = createBedrockClient({ endpoint: fake.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const settings = loadBedrockSettings({ BEDROCK_MODEL_ID: 'bench.fake-model-v1' });
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    const echoMessage = `${'ab '.repeat(1333)}x`;
    // "You said: " and 598 words: a 600-piece answer.
    const longEchoQuestion = Array.from({ length: 598 }, (_, i) => `word${i % 10}`).join(' ');
    const cases: StreamCase[] = [
      {
        label: 'echo-stream, 4,000 chars',
        responderFor: () => new StreamingEchoResponder(),
        message: echoMessage,
        pieces: `You said: ${echoMessage}`.match(/\S+\s*/g)?.length ?? 0,
      },
      { label: 'model-like, 150 tokens/s for 2 s', responderFor: () => pacedResponder(300, 150), message: 'hello', pieces: 300 },
      {
        label: 'echo-stream, 600 words at 10 ms a word (ECHO_STREAM_DELAY_MS)',
        responderFor: () => echoResponder('echo-stream', 10),
        message: longEchoQuestion,
        pieces: 600,
        batchedOnly: true,
      },
      {
        label: 'echo-stream, 600 words at 10 ms a word, 20 connections',
        responderFor: () => echoResponder('echo-stream', 10),
        message: longEchoQuestion,
        pieces: 600,
        connections: 20,
        batchedOnly: true,
      },
      {
        label: 'bedrock (real SDK, fake at 150 tokens/s), 300-word reply',
        responderFor: (history) => new BedrockResponder({ client, history }, settings),
        // The fake answers "Turn 1 of this conversation (1 messages, no system prompt). You asked: "<question>"": 12 words and the question's.
        message: 'tell me more '.repeat(96).trim(),
        pieces: (reply) => words(reply).length,
      },
    ];
    const unbatched = { intervalMs: 0, maxChars: 1 };
    const rows: StreamedPostsRow[] = [];
    for (const batching of [unbatched, loadChunkBatching({})]) {
      for (const streamCase of cases) if (batching !== unbatched || !streamCase.batchedOnly) rows.push(await runCase(management, streamCase, batching));
    }
    return rows;
  } finally {
    process.stdout.write = write;
    client.destroy();
    await fake.stop();
  }
};

export type { StreamedPostsRow };
export { benchStreamedPosts };
