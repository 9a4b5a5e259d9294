import { performance } from 'node:perf_hooks';
import { wsEvent } from '#testkit/events.ts';
import { InMemoryConnectionStore } from '#testkit/in-memory-connection-store.ts';
import { InMemoryMessageStore } from '#testkit/in-memory-message-store.ts';
import { createBedrockClient } from '../src/adapters/bedrock/bedrock-client.ts';
import { BedrockResponder } from '../src/adapters/bedrock/bedrock-responder.ts';
import { loadBedrockSettings } from '../src/config/assistant-config.ts';
import { loadChunkBatching } from '../src/config/streaming-config.ts';
import { SenderPool } from '../src/delivery/management-api-sender.ts';
import { newMessageId } from '../src/domain/message-ids.ts';
import { DEFAULT_REPLY_PACING } from '../src/domain/reply-progress.ts';
import { type Responder, StreamingEchoResponder } from '../src/domain/responder.ts';
import { startFakeBedrock } from '../src/local/fake-bedrock/fake-bedrock.ts';
import { logger, metrics, tracer } from '../src/observability/powertools.ts';
import { buildRespond } from '../src/runtime/respond-builder.ts';
import { buildMessage } from '../src/runtime/route-builders.ts';
import { InMemoryReplyStore } from '../testkit/in-memory-reply-store.ts';
import { InProcessReplyInvoker } from '../testkit/in-process-invoker.ts';
import { CallRecorder } from './support/call-recorder.ts';
import { probeFirstDelta } from './support/first-delta-probe.ts';
import { InMemoryHistory } from './support/in-memory-history.ts';
import { benchLambdaContext as context } from './support/lambda-context.ts';
import { median, quantile, round } from './support/stats.ts';
import { TimedSender } from './support/timed-sender.ts';

interface FirstChunkRow {
  responder: string;
  iterations: number;
  /** Invocation start → the question's copy handed to the sender (what runs before any responder). */
  questionPostP50Ms: number;
  /** Bedrock only: invocation start → ConverseStream send() (the above, then the history read and the conversation's shaping). */
  modelCallStartP50Ms: number | undefined;
  /** Bedrock only: send() → response headers (SDK serialise + SigV4 + loopback HTTP + the fake's start). */
  modelCallP50Ms: number | undefined;
  /** Invocation start → the first delta reaching the chat service (before the chunk batcher). */
  firstDeltaP50Ms: number;
  firstChunkP50Ms: number;
  firstChunkP95Ms: number;
  invocationP50Ms: number;
}

interface FirstChunkResult {
  rows: FirstChunkRow[];
  firstChunkRatioP50: number;
  firstChunkRatioP95: number;
}

interface Sample {
  questionPostMs: number;
  modelCallStartMs: number | undefined;
  modelCallMs: number | undefined;
  firstDeltaMs: number;
  firstChunkMs: number;
  invocationMs: number;
}

const USER = 'bench-first-user';
const CONNECTION = 'bench-first-conn';
const SESSION = 'bench-first';
const HISTORY_EXCHANGES = 10;

/** A user with one connection and a session that already holds 10 exchanges, so the model gets its full default context (20 turns). */
const seededStores = async () => {
  const connections = new InMemoryConnectionStore();
  await connections.register({ connectionId: CONNECTION, userId: USER, connectedAt: 0, lastSeenAt: 0, expiresAt: 4e9 });
  const messages = new InMemoryMessageStore();
  const start = Date.now() - 60_000;
  for (let i = 0; i < HISTORY_EXCHANGES * 2; i += 1) {
    const role = i % 2 === 0 ? 'user' : 'assistant';
    const text = role === 'user' ? `Earlier question number ${i / 2}?` : `An earlier answer of a few words, number ${(i - 1) / 2}.`;
    await messages.saveUserMessage({ messageId: newMessageId(start + i), sessionId: SESSION, userId: USER, role, message: text, createdAt: new Date(start + i).toISOString() });
  }
  return { connections, messages };
};

/** The message function's chain (buildMessage, every middleware) on in-memory stores and a timed sender. */
const timedChain = async (responderFor: (messages: InMemoryMessageStore) => Responder) => {
  const { connections, messages } = await seededStores();
  const sender = new TimedSender();
  const firstDeltaAt: number[] = [];
  const tools = { logger, metrics, tracer };
  const clock = { nowMs: () => Date.now() };
  const replies = new InMemoryReplyStore(messages);
  const senders = new SenderPool('http://in-memory', () => sender);
  // The respond function runs in process for each hand-off, and the invocation returns when the reply has ended.
  const respond = buildRespond(
    { tools, clock, connections, messages, replies, senders, responder: probeFirstDelta(responderFor(messages), firstDeltaAt) },
    { pacing: DEFAULT_REPLY_PACING, chunkBatching: loadChunkBatching({}) },
  );
  const chain = buildMessage(
    { tools, clock, connections, messages, replies, senders, invoker: new InProcessReplyInvoker(respond) },
    { rateLimit: { burst: 1e9, perSecond: 1e9 }, refusal: { maxRefusals: 1e9, windowSeconds: 60 }, turnHoldMs: 360_000 },
  );
  return { chain, sender, firstDeltaAt };
};

const runOnce = async (setup: Awaited<ReturnType<typeof timedChain>>, index: number, recorder?: CallRecorder): Promise<Sample> => {
  const event = wsEvent({
    connectionId: CONNECTION,
    userId: USER,
    body: { action: 'chat_message', data: { message: `What about question ${index}?`, sessionId: SESSION } },
    routeKey: 'chat_message',
    tokenExpiresAt: 4e9,
  });
  setup.sender.reset();
  setup.firstDeltaAt.length = 0;
  recorder?.reset();
  const start = performance.now();
  await setup.chain(event, context);
  const end = performance.now();
  const modelCall = recorder?.calls.find((call) => call.operation === 'ConverseStreamCommand');
  return {
    questionPostMs: setup.sender.firstPostAfter(start, 'chat_message'),
    modelCallStartMs: modelCall ? modelCall.start - start : undefined,
    modelCallMs: modelCall ? modelCall.end - modelCall.start : undefined,
    firstDeltaMs: (setup.firstDeltaAt[0] ?? Number.NaN) - start,
    firstChunkMs: setup.sender.firstPostAfter(start, 'chat_message_chunk'),
    invocationMs: end - start,
  };
};

const medianOfDefined = (values: Array<number | undefined>): number | undefined => {
  const defined = values.filter((value) => value !== undefined);
  return defined.length === 0 ? undefined : round(median(defined), 3);
};

const rowOf = (responder: string, samples: Sample[]): FirstChunkRow => {
  const firstChunks = samples.map((sample) => sample.firstChunkMs);
  if (firstChunks.some(Number.isNaN)) throw new Error(`${responder}: a reply came without any chat_message_chunk post`);
  return {
    responder,
    iterations: samples.length,
    questionPostP50Ms: round(median(samples.map((sample) => sample.questionPostMs)), 3),
    modelCallStartP50Ms: medianOfDefined(samples.map((sample) => sample.modelCallStartMs)),
    modelCallP50Ms: medianOfDefined(samples.map((sample) => sample.modelCallMs)),
    firstDeltaP50Ms: round(median(samples.map((sample) => sample.firstDeltaMs)), 3),
    firstChunkP50Ms: round(median(firstChunks), 3),
    firstChunkP95Ms: round(quantile(firstChunks, 0.95), 3),
    invocationP50Ms: round(median(samples.map((sample) => sample.invocationMs)), 3),
  };
};

/**
 * Method: the real message chain (buildMessage, every middleware, Powertools with stdout discarded)
 * on in-memory stores (testkit) and an in-memory sender that timestamps each post, so what is
 * measured is this process's CPU plus, for Bedrock, the loopback HTTP to the fake; no DynamoDB
 * latency. The `bedrock` responder runs the real SDK (SigV4 with dummy credentials, event-stream
 * decoding) against the fake Bedrock in this process at zero added latency (its request parsing and
 * first events are in the figure, and small); `echo-stream` is the baseline, interleaved with it.
 * Figure: invocation start → the first chat_message_chunk handed to the sender.
 */
const benchFirstChunk = async (iterations: number, warmup = 20): Promise<FirstChunkResult> => {
  const fake = await startFakeBedrock({ tokensPerSecond: 0 });
  const client = createBedrockClient({ endpoint: fake.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const recorder = new CallRecorder();
  recorder.attach(client, 'bedrock');
  const settings = loadBedrockSettings({ BEDROCK_MODEL_ID: 'bench.fake-model-v1' });
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    const echo = await timedChain(() => new StreamingEchoResponder());
    const bedrock = await timedChain((messages) => new BedrockResponder({ client, history: new InMemoryHistory(messages) }, settings));
    const samples = { echo: [] as Sample[], bedrock: [] as Sample[] };
    for (let index = 0; index < warmup + iterations; index += 1) {
      // Alternate which goes first, so neither always runs right after the other's garbage.
      const order = index % 2 === 0 ? (['echo', 'bedrock'] as const) : (['bedrock', 'echo'] as const);
      for (const name of order) {
        const sample = name === 'echo' ? await runOnce(echo, index) : await runOnce(bedrock, index, recorder);
        if (index >= warmup) samples[name].push(sample);
      }
    }
    const rows = [rowOf('echo-stream', samples.echo), rowOf('bedrock (real SDK, fake Bedrock at 0 ms/token)', samples.bedrock)];
    const [echoRow, bedrockRow] = rows as [FirstChunkRow, FirstChunkRow];
    return {
      rows,
      firstChunkRatioP50: round(bedrockRow.firstChunkP50Ms / echoRow.firstChunkP50Ms),
      firstChunkRatioP95: round(bedrockRow.firstChunkP95Ms / echoRow.firstChunkP95Ms),
    };
  } finally {
    process.stdout.write = write;
    client.destroy();
    await fake.stop();
  }
};

export type { FirstChunkResult, FirstChunkRow };
export { benchFirstChunk };
