import type { ConversationTurn } from './conversation.ts';

/**
 * What a model-backed responder hands back beyond the text: how the reply ended and what it cost.
 * The domain reads it after iterating the reply, to store the status and usage and emit metrics.
 */

/** Why a reply stopped before the model finished it. */
type EarlyEnd =
  /** No event for longer than the configured gap: the stream was aborted. */
  | 'stalled'
  /** The invocation's remaining time (less a margin) ran out: the stream was aborted. */
  | 'deadline'
  /** The caller's AbortSignal fired, or the caller stopped iterating. */
  | 'cancelled'
  /** The stream broke (an exception event, a reset connection): the iteration threw ModelStreamInterruptedError. */
  | 'interrupted'
  /** The call was refused before any answer: the iteration threw ModelThrottledError or ModelUnavailableError. */
  | 'refused';

interface ReplyOutcome {
  /** The model's `stopReason` (`end_turn`, `max_tokens`, ...); undefined when the stream ended early. */
  stopReason?: string;
  /** From the stream's metadata event; undefined when the stream ended before it. */
  inputTokens?: number;
  outputTokens?: number;
  /** Undefined when the model finished the reply. */
  endedEarly?: EarlyEnd;
  /** For `interrupted` and `refused`: the AWS error name or network error code (the typed error's `reason`). */
  errorName?: string;
  /** From the ConverseStream request to the first text delta; undefined when no text came. */
  timeToFirstTokenMs?: number;
  /** The service's own `metrics.latencyMs`. */
  modelLatencyMs?: number;
}

/** A reply: iterate it for the text deltas, then read `outcome`. */
interface ModelReply extends AsyncIterable<string> {
  /** Set when the iteration has ended, however it ended (also before a thrown error reaches the caller). */
  readonly outcome: ReplyOutcome | undefined;
}

/** Per-call inputs that come from the invocation, not from configuration. */
interface ModelCallOptions {
  /** Milliseconds the invocation has left (Lambda: `context.getRemainingTimeInMillis`). @default no deadline */
  remainingMs?: () => number;
  /** Stops the reply (a user's cancel); it ends as `cancelled` with the text so far. */
  signal?: AbortSignal;
}

interface RecentTurnsQuery {
  userId: string;
  sessionId: string;
  /** The question being answered: only turns stored before it are context. */
  beforeMessageId: string;
  /** The newest this many turns at most. */
  limit: number;
}

/** The session's recent turns, oldest first (one Query for the newest ones, reversed). */
interface HistorySource {
  recentTurns(query: RecentTurnsQuery): Promise<ConversationTurn[]>;
}

export type { EarlyEnd, HistorySource, ModelCallOptions, ModelReply, RecentTurnsQuery, ReplyOutcome };
