import { chatMessageFrame } from '../protocol/frames.ts';
import { type ProducedReply, produceReply, publicView } from './assistant-reply.ts';
import { type ChatObserver, silentObserver } from './chat-observer.ts';
import type { ChunkBatchingOptions, Scheduler } from './chunk-batcher.ts';
import type { Clock } from './clock.ts';
import type { Audience, ConnectionStore } from './connection-store.ts';
import type { Delivery } from './delivery.ts';
import { BudgetExceededError } from './errors.ts';
import { newMessageId } from './message-ids.ts';
import type { MessageStore, SaveResult, StoredChatMessage } from './message-store.ts';
import type { Responder } from './responder.ts';
import { type BudgetReservation, estimateOutputTokens, type TokenBudget } from './token-budget.ts';

interface ChatDependencies {
  connections: ConnectionStore;
  messages: MessageStore;
  responder: Responder;
  clock: Clock;
  /** The daily output-token budget the replies are charged to. @default none (the echo responders cost nothing) */
  budget?: TokenBudget;
  /** Told of budget refusals, model refusals and how each model reply ended. @default silentObserver */
  observer?: ChatObserver;
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
  /** The invocation's remaining time (Lambda's getRemainingTimeInMillis): a reply stops before it runs out. */
  remainingMs?: () => number;
}

interface ChatOutcome {
  userMessage: StoredChatMessage;
  reply?: StoredChatMessage;
  duplicate: boolean;
  /** Connections past their end (an expired token) that this fan-out found still open and closed. */
  endedClosed: number;
}

interface Admitted {
  saved: SaveResult;
  /** Held while the question is answered; undefined without a budget. */
  reservation: BudgetReservation | undefined;
}

/**
 * Stores the user's message (once per clientMessageId), sends it to every live connection of the
 * user, then stores and sends the responder's reply the same way. Admitting and storing the question
 * run in parallel with finding its recipients, so the first post waits for one DynamoDB round trip
 * (two with a budget) whatever the table size. The same read finds the user's connections past their
 * end (an expired token): they get nothing and are closed.
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
  const [admitted, found] = await Promise.allSettled([admitAndStore(deps, candidate, nowMs), deps.connections.listAudience(incoming.userId, nowMs)]);
  if (admitted.status === 'rejected') throw admitted.reason;
  const { saved, reservation } = admitted.value;
  let usedTokens = 0;
  try {
    if (saved.duplicate && !(await shouldFinishExchange(deps, saved.message, nowMs))) {
      // A retry while the exchange is answered or still in progress: acknowledge with the original only.
      await delivery.post(incoming.connectionId, chatMessageFrame(publicView(saved.message)));
      return { userMessage: saved.message, duplicate: true, endedClosed: 0 };
    }
    const exchange = await answer(deps, delivery, incoming, saved.message, found);
    usedTokens = reservation ? (exchange.outcome?.outputTokens ?? estimateOutputTokens(exchange.reply.message, reservation.reservedTokens)) : 0;
    return { userMessage: saved.message, reply: exchange.reply, duplicate: saved.duplicate, endedClosed: exchange.endedClosed };
  } finally {
    if (reservation) await settle(deps, reservation, usedTokens);
  }
};

/** With a budget: reserve the reply's cost first, and store nothing for a question it refuses. */
const admitAndStore = async (deps: ChatDependencies, candidate: StoredChatMessage, nowMs: number): Promise<Admitted> => {
  const decision = deps.budget ? await deps.budget.reserve(candidate.userId, nowMs) : undefined;
  if (decision && !decision.admitted) {
    (deps.observer ?? silentObserver).budgetExceeded(candidate.userId);
    throw new BudgetExceededError(decision.resetsAtMs, nowMs);
  }
  const reservation = decision?.reservation;
  try {
    return { saved: await deps.messages.saveUserMessage(candidate), reservation };
  } catch (error) {
    if (reservation) await settle(deps, reservation, 0);
    throw error;
  }
};

/** Charges what the reply cost; a failure leaves the whole reservation charged (the user's loss, never the operator's). */
const settle = async (deps: ChatDependencies, reservation: BudgetReservation, usedTokens: number): Promise<void> => {
  await deps.budget?.settle(reservation, usedTokens).catch((error: unknown) => (deps.observer ?? silentObserver).settleFailed(error));
};

/** Sends the question to the user's connections (closing ended ones), then produces the reply. */
const answer = async (
  deps: ChatDependencies,
  delivery: Delivery,
  incoming: IncomingChatMessage,
  question: StoredChatMessage,
  found: PromiseSettledResult<Audience>,
): Promise<ProducedReply & { endedClosed: number }> => {
  try {
    if (found.status === 'rejected') throw found.reason;
    const { live, ended } = found.value;
    // The sender's own row may be missing from an eventually consistent index read, so it gets its copy
    // unless its row says it has ended: a frame sent just before the close gets nothing posted back.
    const senderEnded = ended.includes(incoming.connectionId);
    const audience = live.includes(incoming.connectionId) || senderEnded ? live : [incoming.connectionId, ...live];
    const toClose = ended.filter((connectionId) => connectionId !== incoming.connectionId);
    const [, endedClosed] = await Promise.all([delivery.postToAll(audience, chatMessageFrame(publicView(question))), delivery.closeEnded(toClose)]);
    const produced = await produceReply({ ...deps, observer: deps.observer ?? silentObserver }, delivery, audience, question, {
      ...(incoming.remainingMs ? { remainingMs: incoming.remainingMs } : {}),
    });
    return { ...produced, endedClosed };
  } catch (error) {
    // The question is stored but unanswered, and the sender is about to be told to retry: give up
    // the reply lease, so that retry (same clientMessageId) finishes the exchange at once.
    if (question.clientMessageId !== undefined) await deps.messages.releaseReplyLease(question).catch(() => undefined);
    throw error;
  }
};

/**
 * A resent clientMessageId finishes the exchange only when its question has no reply and nobody
 * holds the reply lease (the first attempt failed, or has been gone longer than any invocation).
 */
const shouldFinishExchange = async (deps: ChatDependencies, original: StoredChatMessage, nowMs: number): Promise<boolean> =>
  !(await deps.messages.hasReply(original)) && deps.messages.claimReplyLease(original, nowMs);

export type { ChatDependencies, ChatOutcome, IncomingChatMessage };
export { handleChatMessage };
