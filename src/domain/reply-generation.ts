import { type ChatMessageChunkFrame, chatMessageFrame } from '../protocol/frames.ts';
import { publicView, replyEnd } from './assistant-reply.ts';
import type { ChatObserver } from './chat-observer.ts';
import { ChunkBatcher, type ChunkBatchingOptions, type Scheduler, systemScheduler } from './chunk-batcher.ts';
import type { Clock } from './clock.ts';
import type { ConnectionStore } from './connection-store.ts';
import type { Delivery } from './delivery.ts';
import { toErrorFrame } from './error-frame.ts';
import { AssistantUnavailableError, ModelBusyError } from './errors.ts';
import type { MessageStore, StoredChatMessage } from './message-store.ts';
import { ModelStreamInterruptedError, ModelThrottledError, ModelUnavailableError } from './model-errors.ts';
import type { ReplyOutcome } from './model-reply.ts';
import { type ReplyJob, replyKeyOf } from './reply-job.ts';
import { DEFAULT_REPLY_PACING, type ReplyPacing, ReplyProgress } from './reply-progress.ts';
import type { ReplyEnd, ReplyStore } from './reply-store.ts';
import type { Responder } from './responder.ts';
import { estimateOutputTokens, type TokenBudget } from './token-budget.ts';

interface GenerationDependencies {
  connections: ConnectionStore;
  messages: MessageStore;
  replies: ReplyStore;
  responder: Responder;
  clock: Clock;
  observer: ChatObserver;
  budget?: TokenBudget;
  pacing?: ReplyPacing;
  chunkBatching?: ChunkBatchingOptions;
  scheduler?: Scheduler;
}

interface GenerationOptions {
  /** The invocation's remaining time: the reply stops (truncated) before it runs out. */
  remainingMs?: () => number;
  /** Put on an error frame for a refused model call. */
  requestId: string;
}

type GenerationResult = { outcome: 'busy' | 'finished' } | { outcome: 'ended'; reply: StoredChatMessage; recovered: boolean };

/** Who gets the reply: the question's audience, and every live connection of the user found while it streams. */
class ReplyAudience {
  public current: string[];
  readonly #deps: GenerationDependencies;
  readonly #userId: string;
  /** Never posted to nor closed again: those the message function found gone or closed, then those closed here. */
  readonly #gone: Set<string>;

  public constructor(deps: GenerationDependencies, job: ReplyJob) {
    this.#deps = deps;
    this.#userId = job.userId;
    this.current = [...job.audience];
    this.#gone = new Set(job.gone);
  }

  /**
   * Reads the user's connections again: live ones join; ones past their end (an expired token) leave
   * and are closed, as any fan-out closes them. A failed read keeps the audience it had: the stream
   * must not stop for it.
   */
  public async refresh(delivery: Delivery): Promise<void> {
    const found = await this.#deps.connections.listAudience(this.#userId, this.#deps.clock.nowMs()).catch(() => ({ live: this.current, ended: [] }));
    const toClose = found.ended.filter((connectionId) => !this.#gone.has(connectionId));
    for (const connectionId of found.ended) this.#gone.add(connectionId);
    this.current = [...new Set([...this.current, ...found.live])].filter((connectionId) => !this.#gone.has(connectionId));
    if (toClose.length > 0) await delivery.closeEnded(toClose);
  }
}

/**
 * Ends the reply once: stores its final state, sends it to every connection of the user, frees the
 * session's turn and settles the budget. Does nothing visible when another invocation ended it first.
 */
const endReply = async (deps: GenerationDependencies, delivery: Delivery, job: ReplyJob, audience: ReplyAudience, end: ReplyEnd): Promise<StoredChatMessage | undefined> => {
  const key = replyKeyOf(job);
  // The turn is free before anyone can learn of the end (the final frame, or history showing the final
  // status): a client that asks its next question then must not be told the answer is still in progress.
  await deps.replies.releaseTurn(job.userId, job.sessionId, job.replyMessageId);
  const ended = await deps.replies.finishReply(key, end, deps.clock.nowMs());
  if (ended) {
    await audience.refresh(delivery);
    await delivery.postToAll(audience.current, chatMessageFrame(publicView(ended)));
  }
  if (job.reservation && deps.budget) {
    const used = end.usage?.outputTokens ?? estimateOutputTokens(end.message, job.reservation.reservedTokens);
    await deps.budget.settle(job.reservation, ended ? used : 0).catch((error: unknown) => deps.observer.settleFailed(error));
  }
  return ended;
};

/** A refusal before any answer: the sender is told (and may resend), the question's reply lease is freed. */
const refuse = async (
  deps: GenerationDependencies,
  delivery: Delivery,
  job: ReplyJob,
  question: StoredChatMessage,
  error: ModelThrottledError | ModelUnavailableError,
  requestId: string,
) => {
  deps.observer.modelRefused(error);
  const refusal = error instanceof ModelThrottledError ? new ModelBusyError(error.retryAfterMs) : new AssistantUnavailableError();
  if (question.clientMessageId !== undefined) await deps.messages.releaseReplyLease(question).catch(() => undefined);
  await delivery.post(job.connectionId, toErrorFrame(refusal, requestId));
};

/** Streams the model's answer to the user, durable and stoppable, and ends the reply with its status. */
const streamReply = async (deps: GenerationDependencies, delivery: Delivery, job: ReplyJob, question: StoredChatMessage, options: GenerationOptions) => {
  const key = replyKeyOf(job);
  const scheduler = deps.scheduler ?? systemScheduler;
  // The question's audience to start with: a device that connects meanwhile joins at the next persist tick.
  const audience = new ReplyAudience(deps, job);
  const cancel = new AbortController();
  const progress = new ReplyProgress(
    { replies: deps.replies, clock: deps.clock, scheduler, pacing: deps.pacing ?? DEFAULT_REPLY_PACING, onCancel: () => cancel.abort(), onTick: () => audience.refresh(delivery) },
    key,
  );
  // A responder that does not stream sends its reply whole, in the final frame only.
  const batcher = deps.responder.streams
    ? new ChunkBatcher({
        messageId: job.replyMessageId,
        sessionId: job.sessionId,
        post: (frame: ChatMessageChunkFrame) => delivery.postToAll(audience.current, frame),
        clock: deps.clock,
        scheduler,
        ...(deps.chunkBatching ? { options: deps.chunkBatching } : {}),
      })
    : undefined;
  const pieces = deps.responder.respond(question, { ...(options.remainingMs ? { remainingMs: options.remainingMs } : {}), signal: cancel.signal });
  let text = '';
  let refusal: ModelThrottledError | ModelUnavailableError | undefined;
  progress.start();
  try {
    for await (const delta of pieces) {
      text += delta;
      progress.update(text);
      await batcher?.push(delta);
    }
  } catch (error) {
    if (error instanceof ModelThrottledError || error instanceof ModelUnavailableError) refusal = error;
    else if (!(error instanceof ModelStreamInterruptedError)) {
      // Not the model's doing: nothing more is posted, and Lambda's retry ends the reply (as failed).
      batcher?.cancel();
      throw error;
    }
  } finally {
    await progress.stop();
  }
  // Every chunk is out before the final reply, so a client never sees a chunk after it.
  await batcher?.finish().catch(() => undefined);
  const outcome: ReplyOutcome = pieces.outcome ?? (progress.cancelled ? { endedEarly: 'cancelled' } : {});
  const end = { ...replyEnd(outcome), message: text };
  const status = refusal ? 'failed' : end.status;
  const ended = await endReply(deps, delivery, job, audience, { ...end, status });
  if (refusal) await refuse(deps, delivery, job, question, refusal, options.requestId);
  else if (ended) deps.observer.replyEnded(outcome, status);
  return ended;
};

/**
 * The respond function's work for one delivery of a job. The first attempt generates the answer; a
 * later one that finds the reply still streaming with no live attempt (the first crashed) ends it as
 * `failed` with the text persisted so far; a duplicate delivery, or one after the end, does nothing.
 */
const generateReply = async (deps: GenerationDependencies, delivery: Delivery, job: ReplyJob, options: GenerationOptions): Promise<GenerationResult> => {
  const key = replyKeyOf(job);
  const claim = await deps.replies.claimReply(key, deps.clock.nowMs(), (deps.pacing ?? DEFAULT_REPLY_PACING).staleMs);
  if (claim.outcome === 'busy' || claim.outcome === 'finished') return { outcome: claim.outcome };
  if (claim.outcome === 'recover') {
    // The user asked to stop it meanwhile: it ends as they were told it would (`cancelling`).
    const status = (await deps.replies.isCancelRequested(key)) ? 'cancelled' : 'failed';
    const ended = await endReply(deps, delivery, job, new ReplyAudience(deps, job), { status, message: claim.reply.message });
    deps.observer.replyRecovered();
    return ended ? { outcome: 'ended', reply: ended, recovered: true } : { outcome: 'finished' };
  }
  const question = await deps.replies.getMessage({ userId: job.userId, sessionId: job.sessionId, messageId: job.questionMessageId });
  if (!question) throw new Error(`Question ${job.questionMessageId} of reply ${job.replyMessageId} is not stored`);
  const ended = await streamReply(deps, delivery, job, question, options);
  return ended ? { outcome: 'ended', reply: ended, recovered: false } : { outcome: 'finished' };
};

export type { GenerationDependencies, GenerationOptions, GenerationResult };
export { generateReply };
