/**
 * Reading a streamed reply off a TestClient, for the end-to-end tests of the hand-off to `respond`:
 * its chunk frames, its final `chat_message`, the session's history, and a question long enough to
 * outlive what a test needs it to.
 */
import { tokenFor } from '#testkit/tokens.ts';
import { type Frame, TestClient } from '#testkit/ws-client.ts';
import type { LocalGateway } from '../../../src/local/gateway/gateway.ts';

/** The echo responders' reply (src/domain/responder.ts `replyText`). */
const echoOf = (question: string): string => `You said: ${question}`;

/** A question of `words` words: echo-stream answers it in `words + 2` pieces, one pause each. */
const questionOf = (words: number, tag = 'w'): string => Array.from({ length: words }, (_, index) => `${tag}${index}`).join(' ');

const isChunkOf = (messageId: string) => (frame: Frame) => frame.type === 'chat_message_chunk' && frame.data?.messageId === messageId;
const isFinalOf = (messageId: string) => (frame: Frame) => frame.type === 'chat_message' && frame.data?.messageId === messageId;
const isAnyChunk = (frame: Frame) => frame.type === 'chat_message_chunk';
/** API Gateway's integration timeout frame (no `type`). */
const isTimeoutFrame = (frame: Frame | string): frame is Frame => typeof frame === 'object' && frame.message === 'Endpoint request timed out';

/** Every frame `client` received so far that matches. */
const framesOf = (client: TestClient, predicate: (frame: Frame) => boolean): Frame[] =>
  client.received.filter((frame): frame is Frame => typeof frame === 'object' && predicate(frame));

/**
 * The text a client's chunks of one reply add up to, and whether they are whole: `seq` counts from 0
 * with no gap and each `offset` (code points) is exactly where the text so far ends, so nothing is
 * missing or doubled.
 */
const followChunks = (client: TestClient, messageId: string): { text: string; count: number; contiguous: boolean } => {
  let text = '';
  let contiguous = true;
  const chunks = framesOf(client, isChunkOf(messageId));
  chunks.forEach((chunk, index) => {
    if (chunk.data.seq !== index || chunk.data.offset !== [...text].length) contiguous = false;
    text += chunk.data.delta;
  });
  return { text, count: chunks.length, contiguous };
};

/** Chunks of `messageId` the client received after its final chat_message (there must be none). */
const chunksAfterFinal = (client: TestClient, messageId: string): number => {
  const finalAt = client.received.findIndex((frame) => typeof frame === 'object' && isFinalOf(messageId)(frame));
  if (finalAt < 0) return 0;
  return client.received.slice(finalAt + 1).filter((frame) => typeof frame === 'object' && isChunkOf(messageId)(frame)).length;
};

/** The session's history, as the `history` action returns it (a fresh request each call). */
const historyOf = async (client: TestClient, sessionId: string): Promise<Frame[]> => {
  client.send({ action: 'history', data: { sessionId } });
  const history = await client.next((frame) => frame.type === 'history' && frame.data?.sessionId === sessionId, `the history of ${sessionId}`);
  return history.data.messages as Frame[];
};

/** Polls until `check` returns a value; fails with `label` after a generous deadline (a guard, not a speed check). */
const eventually = async <T>(check: () => Promise<T | undefined> | T | undefined, label: string, deadlineMs = 20_000): Promise<T> => {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Gave up waiting for ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

/** Opens connections for the test and closes them all at the end. */
class Connections {
  readonly #open: TestClient[] = [];
  readonly #gateway: () => LocalGateway;

  public constructor(gateway: () => LocalGateway) {
    this.#gateway = gateway;
  }

  public async open(user: string): Promise<TestClient> {
    const client = await TestClient.connect(this.#gateway().url, { token: await tokenFor(user) });
    this.#open.push(client);
    return client;
  }

  public async closeAll(): Promise<void> {
    await Promise.all(this.#open.splice(0).map((client) => client.close()));
  }
}

/** The connection's id, as its pong reports it. */
const connectionIdOf = async (client: TestClient): Promise<string> => {
  client.send({ action: 'ping' });
  return (await client.next((frame) => frame.type === 'pong', 'pong')).data.connectionId as string;
};

/**
 * Sends a question and waits for the reply's id: the first chunk names it (echo-stream and bedrock
 * stream). @returns the stored question (the user's chat_message) and the reply's messageId
 */
const askAndAwaitFirstChunk = async (client: TestClient, sessionId: string, message: string, clientMessageId?: string): Promise<{ question: Frame; replyId: string }> => {
  client.send({ action: 'chat_message', data: { message, sessionId, ...(clientMessageId ? { clientMessageId } : {}) } });
  const question = await client.next(
    (frame) => frame.type === 'chat_message' && frame.data?.role === 'user' && frame.data?.sessionId === sessionId && frame.data?.message === message,
    'the question',
  );
  // The reply's id is issued right after the question's (ULIDs are monotonic): an earlier reply's chunks do not match.
  const questionId = question.data.messageId as string;
  const first = await client.next((frame) => isAnyChunk(frame) && frame.data?.sessionId === sessionId && frame.data.messageId > questionId, 'the first chunk');
  return { question: question.data as Frame, replyId: first.data.messageId as string };
};

export {
  askAndAwaitFirstChunk,
  Connections,
  chunksAfterFinal,
  connectionIdOf,
  echoOf,
  eventually,
  followChunks,
  framesOf,
  historyOf,
  isChunkOf,
  isFinalOf,
  isTimeoutFrame,
  questionOf,
};
