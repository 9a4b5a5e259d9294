import { chatMessageFrame } from '../protocol/frames.ts';
import { publicView } from './assistant-reply.ts';
import { type ChatObserver, silentObserver } from './chat-observer.ts';
import type { Clock } from './clock.ts';
import type { Audience, ConnectionStore } from './connection-store.ts';
import type { Delivery } from './delivery.ts';
import { AnswerInProgressError, BudgetExceededError } from './errors.ts';
import { newMessageId } from './message-ids.ts';
import type { MessageStore, SaveResult, StoredChatMessage } from './message-store.ts';
import { type ReplyInvoker, type ReplyJob, replyKeyOf } from './reply-job.ts';
import type { ReplyStore } from './reply-store.ts';
import type { BudgetReservation, TokenBudget } from './token-budget.ts';

interface ChatDependencies {
  connections: ConnectionStore;
  messages: MessageStore;
  replies: ReplyStore;
  /** Starts the reply's generation (the respond function) and returns at once. */
  invoker: ReplyInvoker;
  clock: Clock;
  /** How long a session's turn is held for its answer: longer than the respond function can run. */
  turnHoldMs: number;
  /** The daily output-token budget the replies are charged to. @default none (the echo responders cost nothing) */
  budget?: TokenBudget;
  /** Told of refusals and failed hand-offs. @default silentObserver */
  observer?: ChatObserver;
}

interface IncomingChatMessage {
  userId: string;
  connectionId: string;
  sessionId: string;
  message: string;
  clientMessageId?: string;
  /** The API's domain and stage, handed to the respond function for its @connections endpoint. */
  endpoint?: { domainName: string; stage: string };
}

interface ChatOutcome {
  userMessage: StoredChatMessage;
  /** The reply item handed off (streaming); undefined for an acknowledged resend. */
  reply?: StoredChatMessage;
  duplicate: boolean;
  /** Connections past their end (an expired token) that this fan-out found still open and closed. */
  endedClosed: number;
}

interface Admitted {
  saved: SaveResult;
  replyMessageId: string;
  /** False for a resend of the question whose answer holds the turn. */
  turnClaimed: boolean;
  reservation: BudgetReservation | undefined;
}

/**
 * Stores the user's message (once per clientMessageId), sends it to every live connection of the
 * user, stores the reply item (`streaming`) and hands the reply to the respond function, which streams
 * it. Admitting the question (the budget and the session's turn) and storing it run in parallel with
 * finding its recipients. The same read finds the user's connections past their end (an expired
 * token): they get nothing and are closed.
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
  const { saved, replyMessageId, turnClaimed, reservation } = admitted.value;
  if (saved.duplicate && !(turnClaimed && (await shouldFinishExchange(deps, saved.message, nowMs)))) {
    // A resend while the exchange is answered or in progress: acknowledge with the original only.
    await giveBack(deps, saved.message, replyMessageId, turnClaimed, reservation);
    await delivery.post(incoming.connectionId, chatMessageFrame(publicView(saved.message)));
    return { userMessage: saved.message, duplicate: true, endedClosed: 0 };
  }
  const job: Omit<ReplyJob, 'audience'> = {
    userId: incoming.userId,
    sessionId: incoming.sessionId,
    questionMessageId: saved.message.messageId,
    replyMessageId,
    connectionId: incoming.connectionId,
    ...(reservation ? { reservation } : {}),
    ...(incoming.endpoint ? { endpoint: incoming.endpoint } : {}),
  };
  const { reply, endedClosed } = await handOff(deps, delivery, incoming, saved.message, job, found);
  return { userMessage: saved.message, reply, duplicate: saved.duplicate, endedClosed };
};

/** The budget and the session's turn first (in parallel), then the question: a refused question leaves nothing stored. */
const admitAndStore = async (deps: ChatDependencies, candidate: StoredChatMessage, nowMs: number): Promise<Admitted> => {
  const observer = deps.observer ?? silentObserver;
  const replyMessageId = newMessageId(nowMs);
  const turn = { replyMessageId, ...(candidate.clientMessageId === undefined ? {} : { clientMessageId: candidate.clientMessageId }) };
  const [decision, claim] = await Promise.all([
    deps.budget ? deps.budget.reserve(candidate.userId, nowMs) : undefined,
    deps.replies.claimTurn(candidate.userId, candidate.sessionId, turn, nowMs, nowMs + deps.turnHoldMs),
  ]);
  const reservation = decision?.admitted ? decision.reservation : undefined;
  // The answer in progress is this very question's (a resend after a drop): acknowledged below, not refused.
  const resendOfAnswering = !claim.claimed && candidate.clientMessageId !== undefined && claim.clientMessageId === candidate.clientMessageId;
  if (decision && !decision.admitted) {
    await giveBack(deps, candidate, replyMessageId, claim.claimed, reservation);
    observer.budgetExceeded(candidate.userId);
    throw new BudgetExceededError(decision.resetsAtMs, nowMs);
  }
  if (!claim.claimed && !resendOfAnswering) {
    await giveBack(deps, candidate, replyMessageId, claim.claimed, reservation);
    observer.answerInProgress();
    throw new AnswerInProgressError();
  }
  try {
    return { saved: await deps.messages.saveUserMessage(candidate), replyMessageId, turnClaimed: claim.claimed, reservation };
  } catch (error) {
    await giveBack(deps, candidate, replyMessageId, claim.claimed, reservation);
    throw error;
  }
};

/** Frees what admitting a question took, for a question that will not be answered now. */
const giveBack = async (deps: ChatDependencies, question: StoredChatMessage, replyMessageId: string, turnClaimed: boolean, reservation: BudgetReservation | undefined) => {
  if (turnClaimed) await deps.replies.releaseTurn(question.userId, question.sessionId, replyMessageId);
  if (reservation) await settle(deps, reservation, 0);
};

/** Charges what a reply cost; a failure leaves the whole reservation charged (the user's loss, never the operator's). */
const settle = async (deps: ChatDependencies, reservation: BudgetReservation, usedTokens: number): Promise<void> => {
  await deps.budget?.settle(reservation, usedTokens).catch((error: unknown) => (deps.observer ?? silentObserver).settleFailed(error));
};

/**
 * Sends the question to the user's connections (closing ended ones) while storing the reply item,
 * then starts the reply's generation. A hand-off that fails ends the reply as failed, visibly.
 */
const handOff = async (
  deps: ChatDependencies,
  delivery: Delivery,
  incoming: IncomingChatMessage,
  question: StoredChatMessage,
  job: Omit<ReplyJob, 'audience'>,
  found: PromiseSettledResult<Audience>,
) => {
  const reply: StoredChatMessage = {
    messageId: job.replyMessageId,
    sessionId: question.sessionId,
    userId: question.userId,
    role: 'assistant',
    message: '',
    createdAt: new Date(deps.clock.nowMs()).toISOString(),
    replyTo: question.messageId,
    status: 'streaming',
  };
  try {
    if (found.status === 'rejected') throw found.reason;
    const { live, ended } = found.value;
    // The sender's own row may be missing from an eventually consistent index read, so it gets its copy
    // unless its row says it has ended: a frame sent just before the close gets nothing posted back.
    const senderEnded = ended.includes(incoming.connectionId);
    const audience = live.includes(incoming.connectionId) || senderEnded ? live : [incoming.connectionId, ...live];
    const toClose = ended.filter((connectionId) => connectionId !== incoming.connectionId);
    const [, endedClosed] = await Promise.all([delivery.postToAll(audience, chatMessageFrame(publicView(question))), delivery.closeEnded(toClose), deps.replies.startReply(reply)]);
    // A connection that answered 410 to the question is gone: the reply is not sent to it.
    const replyAudience = audience.filter((connectionId) => !delivery.gone.has(connectionId));
    // Connections that answered 410, and the ended ones (closed just now, or the sender's own closed one):
    // the reply neither posts to nor closes them.
    const gone = [...new Set([...delivery.gone, ...ended])];
    await deps.invoker.handOff({ ...job, audience: replyAudience, ...(gone.length > 0 ? { gone } : {}) }).catch(async (error: unknown) => {
      (deps.observer ?? silentObserver).handOffFailed(error);
      const failed = await deps.replies.finishReply(replyKeyOf(job), { status: 'failed', message: '' }, deps.clock.nowMs());
      await giveBack(deps, question, job.replyMessageId, true, job.reservation);
      if (failed) await delivery.postToAll(audience, chatMessageFrame(publicView(failed)));
    });
    return { reply, endedClosed };
  } catch (error) {
    // The question is stored but unanswered, and the sender is about to be told to retry: give up
    // the reply lease and the turn, so that retry (same clientMessageId) finishes the exchange at once.
    if (question.clientMessageId !== undefined) await deps.messages.releaseReplyLease(question).catch(() => undefined);
    // A reply item already stored must not stay `streaming` with nobody generating it.
    await deps.replies.finishReply(replyKeyOf(job), { status: 'failed', message: '' }, deps.clock.nowMs()).catch(() => undefined);
    await giveBack(deps, question, job.replyMessageId, true, job.reservation).catch(() => undefined);
    throw error;
  }
};

/**
 * A resent clientMessageId finishes the exchange only when its question has no reply (a reply that
 * failed does not count) and nobody holds the reply lease (the first attempt failed, or has been gone
 * longer than any invocation).
 */
const shouldFinishExchange = async (deps: ChatDependencies, original: StoredChatMessage, nowMs: number): Promise<boolean> =>
  !(await deps.messages.hasReply(original)) && deps.messages.claimReplyLease(original, nowMs);

export type { ChatDependencies, ChatOutcome, IncomingChatMessage };
export { handleChatMessage };
