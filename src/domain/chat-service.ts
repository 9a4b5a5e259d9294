import { chatMessageFrame } from '../protocol/frames.ts';
import { ChunkBatcher, type ChunkBatchingOptions, type Scheduler } from './chunk-batcher.ts';
import type { Clock } from './clock.ts';
import type { ConnectionStore } from './connection-store.ts';
import type { Delivery } from './delivery.ts';
import { newMessageId } from './message-ids.ts';
import type { MessageStore, StoredChatMessage } from './message-store.ts';
import type { Responder } from './responder.ts';

interface ChatDependencies {
  connections: ConnectionStore;
  messages: MessageStore;
  responder: Responder;
  clock: Clock;
  /** How a streaming reply's pieces are batched into chunk frames. @default DEFAULT_CHUNK_BATCHING */
  chunkBatching?: ChunkBatchingOptions;
  /** For tests: the timer behind chunk batching. @default systemScheduler */
  scheduler?: Scheduler;
}

interface IncomingChatMessage {
  userId: string;
  connectionId: string;
  sessionId: string;
  message: string;
  clientMessageId?: string;
}

interface ChatOutcome {
  userMessage: StoredChatMessage;
  reply?: StoredChatMessage;
  duplicate: boolean;
  /** Connections past their end (an expired token) that this fan-out found still open and closed. */
  endedClosed: number;
}

/**
 * Stores the user's message (once per clientMessageId), sends it to every live connection of the
 * user, then stores and sends the responder's reply the same way. Storing and finding recipients run
 * in parallel, so the first post waits for one DynamoDB round trip whatever the table size. The same
 * read finds the user's connections past their end (an expired token): they get nothing and are closed.
 */
const handleChatMessage = async (deps: ChatDependencies, delivery: Delivery, incoming: IncomingChatMessage): Promise<ChatOutcome> => {
  const nowMs = deps.clock.nowMs();
  const candidate: StoredChatMessage = {
    messageId: newMessageId(nowMs),
    sessionId: incoming.sessionId,
    userId: incoming.userId,
    role: 'user',
    message: incoming.message,
    createdAt: new Date(nowMs).toISOString(),
    ...(incoming.clientMessageId === undefined ? {} : { clientMessageId: incoming.clientMessageId }),
  };
  const [stored, found] = await Promise.allSettled([deps.messages.saveUserMessage(candidate), deps.connections.listAudience(incoming.userId, nowMs)]);
  if (stored.status === 'rejected') throw stored.reason;
  const saved = stored.value;
  if (saved.duplicate && !(await shouldFinishExchange(deps, saved.message, nowMs))) {
    // A retry while the exchange is answered or still in progress: acknowledge with the original only.
    await delivery.post(incoming.connectionId, chatMessageFrame(publicView(saved.message)));
    return { userMessage: saved.message, duplicate: true, endedClosed: 0 };
  }
  try {
    if (found.status === 'rejected') throw found.reason;
    const { live, ended } = found.value;
    // The sender's own row may be missing from an eventually consistent index read, so it gets its copy
    // unless its row says it has ended: a frame sent just before the close gets nothing posted back.
    const senderEnded = ended.includes(incoming.connectionId);
    const audience = live.includes(incoming.connectionId) || senderEnded ? live : [incoming.connectionId, ...live];
    const toClose = ended.filter((connectionId) => connectionId !== incoming.connectionId);
    const [, endedClosed] = await Promise.all([delivery.postToAll(audience, chatMessageFrame(publicView(saved.message))), delivery.closeEnded(toClose)]);
    const reply = await produceReply(deps, delivery, audience, saved.message);
    return { userMessage: saved.message, reply, duplicate: saved.duplicate, endedClosed };
  } catch (error) {
    // The question is stored but unanswered, and the sender is about to be told to retry: give up
    // the reply lease, so that retry (same clientMessageId) finishes the exchange at once.
    if (saved.message.clientMessageId !== undefined) await deps.messages.releaseReplyLease(saved.message).catch(() => undefined);
    throw error;
  }
};

/**
 * A resent clientMessageId finishes the exchange only when its question has no reply and nobody
 * holds the reply lease (the first attempt failed, or has been gone longer than any invocation).
 */
const shouldFinishExchange = async (deps: ChatDependencies, original: StoredChatMessage, nowMs: number): Promise<boolean> =>
  !(await deps.messages.hasReply(original)) && deps.messages.claimReplyLease(original, nowMs);

const produceReply = async (deps: ChatDependencies, delivery: Delivery, audience: string[], question: StoredChatMessage): Promise<StoredChatMessage> => {
  const messageId = newMessageId(deps.clock.nowMs());
  const batcher = deps.responder.streams
    ? new ChunkBatcher({
        messageId,
        sessionId: question.sessionId,
        post: (frame) => delivery.postToAll(audience, frame),
        clock: deps.clock,
        ...(deps.scheduler ? { scheduler: deps.scheduler } : {}),
        ...(deps.chunkBatching ? { options: deps.chunkBatching } : {}),
      })
    : undefined;
  let text = '';
  try {
    for await (const delta of deps.responder.respond(question)) {
      text += delta;
      await batcher?.push(delta);
    }
    // Every chunk is out before the complete reply, so a client never sees a chunk after it.
    await batcher?.finish();
  } finally {
    batcher?.cancel();
  }
  const reply: StoredChatMessage = {
    messageId,
    sessionId: question.sessionId,
    userId: question.userId,
    role: 'assistant',
    message: text,
    createdAt: new Date(deps.clock.nowMs()).toISOString(),
    replyTo: question.messageId,
  };
  // Stored before it is sent, so a client that resumes from history never misses a reply it saw.
  // The audience is read again meanwhile: a device that (re)connected while the responder worked
  // gets the reply live too, not only from its next history fetch. That read is a bonus: if it
  // fails, the reply still goes to the audience the question had.
  const [, latest] = await Promise.all([deps.messages.saveAssistantMessage(reply), deps.connections.listLive(question.userId, deps.clock.nowMs()).catch((): string[] => [])]);
  await delivery.postToAll([...new Set([...audience, ...latest])], chatMessageFrame(publicView(reply)));
  return reply;
};

/** The protocol's chat_message data: no storage-only fields. */
const publicView = (message: StoredChatMessage) => {
  const { replyTo: _replyTo, ...rest } = message;
  return rest;
};

export type { ChatDependencies, ChatOutcome, IncomingChatMessage };
export { handleChatMessage, publicView };
