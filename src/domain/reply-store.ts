import type { ReplyStatus, TokenUsage } from '../protocol/frames.ts';
import type { StoredChatMessage } from './message-store.ts';

/**
 * The lifecycle of one assistant reply item, from the hand-off to its end (README, "How a reply is
 * generated"): `streaming` with the text so far, then exactly one of the final statuses. Every
 * reply is addressed within its user's own session, so a user can never reach another's reply.
 */
interface ReplyKey {
  userId: string;
  sessionId: string;
  /** The reply's messageId. */
  messageId: string;
}

type FinalStatus = Exclude<ReplyStatus, 'streaming'>;

interface ReplyEnd {
  status: FinalStatus;
  message: string;
  stopReason?: string;
  usage?: TokenUsage;
}

/** What a `respond` invocation finds when it takes a reply. */
type ReplyClaim =
  /** The first attempt: generate the answer. */
  | { outcome: 'generate'; reply: StoredChatMessage }
  /** An earlier attempt began and stopped beating (it crashed): end the reply with its persisted text. */
  | { outcome: 'recover'; reply: StoredChatMessage }
  /** Another invocation is generating it right now (a duplicate delivery): leave it alone. */
  | { outcome: 'busy' }
  /** It has ended already, or does not exist: nothing to do. */
  | { outcome: 'finished' };

interface SessionTurn {
  replyMessageId: string;
  /** The question's clientMessageId, when it has one. */
  clientMessageId?: string;
}

type TurnClaim = { claimed: true } | { claimed: false; clientMessageId?: string };

type CancelOutcome = { outcome: 'cancelling' } | { outcome: 'finished'; status: ReplyStatus } | { outcome: 'unknown' };

interface ReplyStore {
  /**
   * One answer at a time per session: takes the session's turn for a reply until `untilMs`, unless
   * another reply holds it; then says which question's (its clientMessageId), so a resend of that same
   * question is told apart from a new one.
   */
  claimTurn(userId: string, sessionId: string, turn: SessionTurn, nowMs: number, untilMs: number): Promise<TurnClaim>;
  /** Frees the session's turn if `replyMessageId` holds it. */
  releaseTurn(userId: string, sessionId: string, replyMessageId: string): Promise<void>;
  /** Stores the reply item: `status: streaming`, no text yet. */
  startReply(reply: StoredChatMessage): Promise<void>;
  /** Counts an attempt at the reply and says what this one should do; `staleMs`: how long without a beat an attempt is dead. */
  claimReply(key: ReplyKey, nowMs: number, staleMs: number): Promise<ReplyClaim>;
  /** Persists the text so far (and beats); says whether a cancel was asked for meanwhile. */
  persistText(key: ReplyKey, message: string, nowMs: number): Promise<{ cancelRequested: boolean }>;
  /** Whether a cancel was asked for (a cheap read between persists). */
  isCancelRequested(key: ReplyKey): Promise<boolean>;
  /** Ends a streaming reply once; undefined when it had already ended. */
  finishReply(key: ReplyKey, end: ReplyEnd, nowMs: number): Promise<StoredChatMessage | undefined>;
  /** Asks the generator of a streaming reply to stop. */
  requestCancel(key: ReplyKey): Promise<CancelOutcome>;
  /** A stored message by id (the question a job answers). */
  getMessage(key: ReplyKey): Promise<StoredChatMessage | undefined>;
}

export type { CancelOutcome, FinalStatus, ReplyClaim, ReplyEnd, ReplyKey, ReplyStore, SessionTurn, TurnClaim };
