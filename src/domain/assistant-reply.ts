import { type ChatMessageChunkFrame, chatMessageFrame, type ReplyStatus } from '../protocol/frames.ts';
import type { ChatObserver } from './chat-observer.ts';
import { ChunkBatcher, type ChunkBatchingOptions, type Scheduler } from './chunk-batcher.ts';
import type { Clock } from './clock.ts';
import type { ConnectionStore } from './connection-store.ts';
import type { Delivery } from './delivery.ts';
import { AssistantUnavailableError, ModelBusyError } from './errors.ts';
import { newMessageId } from './message-ids.ts';
import type { MessageStore, StoredChatMessage } from './message-store.ts';
import { ModelStreamInterruptedError, ModelThrottledError, ModelUnavailableError } from './model-errors.ts';
import type { ModelCallOptions, ReplyOutcome } from './model-reply.ts';
import type { Responder } from './responder.ts';

interface ReplyDependencies {
  connections: ConnectionStore;
  messages: MessageStore;
  responder: Responder;
  clock: Clock;
  observer: ChatObserver;
  chunkBatching?: ChunkBatchingOptions;
  scheduler?: Scheduler;
}

/** The stored reply and what the model reported about it (undefined for the echo responders). */
interface ProducedReply {
  reply: StoredChatMessage;
  outcome: ReplyOutcome | undefined;
}

/** How a reply that ran ended, in the protocol's words. */
const statusOf = (outcome: ReplyOutcome): ReplyStatus => {
  switch (outcome.endedEarly) {
    case undefined:
      return 'complete';
    case 'deadline':
      return 'truncated';
    case 'cancelled':
      return 'cancelled';
    default:
      // stalled, interrupted (refused never reaches here: it is thrown before any reply exists).
      return 'failed';
  }
};

/** The reply's end as stored and sent: status, the model's stop reason, usage when both counts came. */
const replyEnd = (outcome: ReplyOutcome | undefined): Pick<StoredChatMessage, 'status' | 'stopReason' | 'usage'> => {
  if (outcome === undefined) return {};
  const { stopReason, inputTokens, outputTokens } = outcome;
  return {
    status: statusOf(outcome),
    ...(stopReason === undefined ? {} : { stopReason }),
    ...(inputTokens === undefined || outputTokens === undefined ? {} : { usage: { inputTokens, outputTokens } }),
  };
};

/** A refusal before any answer becomes the client's error frame; the operator hears of it first. */
const refusalFor = (error: unknown, observer: ChatObserver): unknown => {
  if (error instanceof ModelThrottledError) {
    observer.modelRefused(error);
    return new ModelBusyError(error.retryAfterMs, { cause: error });
  }
  if (error instanceof ModelUnavailableError) {
    observer.modelRefused(error);
    return new AssistantUnavailableError({ cause: error });
  }
  return error;
};

/**
 * Streams the responder's reply to `audience` (chunk frames when it streams), then stores it and
 * sends the complete reply. A stream that breaks mid-way is still stored and sent, with the text so
 * far and `status: failed`; a refusal before any answer is thrown as the client's error frame.
 */
const produceReply = async (deps: ReplyDependencies, delivery: Delivery, audience: string[], question: StoredChatMessage, options: ModelCallOptions): Promise<ProducedReply> => {
  const messageId = newMessageId(deps.clock.nowMs());
  const batcher = deps.responder.streams
    ? new ChunkBatcher({
        messageId,
        sessionId: question.sessionId,
        post: (frame: ChatMessageChunkFrame) => delivery.postToAll(audience, frame),
        clock: deps.clock,
        ...(deps.scheduler ? { scheduler: deps.scheduler } : {}),
        ...(deps.chunkBatching ? { options: deps.chunkBatching } : {}),
      })
    : undefined;
  const pieces = deps.responder.respond(question, options);
  let text = '';
  try {
    try {
      for await (const delta of pieces) {
        text += delta;
        await batcher?.push(delta);
      }
    } catch (error) {
      // A stream that broke after it began keeps its text; anything else ends the exchange here.
      if (!(error instanceof ModelStreamInterruptedError)) throw refusalFor(error, deps.observer);
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
    ...replyEnd(pieces.outcome),
  };
  if (pieces.outcome !== undefined && reply.status !== undefined) deps.observer.replyEnded(pieces.outcome, reply.status);
  // Stored before it is sent, so a client that resumes from history never misses a reply it saw.
  // The audience is read again meanwhile: a device that (re)connected while the responder worked
  // gets the reply live too, not only from its next history fetch. That read is a bonus: if it
  // fails, the reply still goes to the audience the question had.
  const [, latest] = await Promise.all([deps.messages.saveAssistantMessage(reply), deps.connections.listLive(question.userId, deps.clock.nowMs()).catch((): string[] => [])]);
  await delivery.postToAll([...new Set([...audience, ...latest])], chatMessageFrame(publicView(reply)));
  return { reply, outcome: pieces.outcome };
};

/** The protocol's chat_message data: no storage-only fields. */
const publicView = (message: StoredChatMessage) => {
  const { replyTo: _replyTo, ...rest } = message;
  return rest;
};

export type { ProducedReply, ReplyDependencies };
export { produceReply, publicView };
