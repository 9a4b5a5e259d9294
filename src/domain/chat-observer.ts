import type { ReplyStatus } from '../protocol/frames.ts';
import type { ModelThrottledError, ModelUnavailableError } from './model-errors.ts';
import type { ReplyOutcome } from './model-reply.ts';

/**
 * What the chat service tells its operator about the assistant: the route turns these into metrics
 * and logs (src/routes/assistant-telemetry.ts). The domain stays free of Powertools.
 */
interface ChatObserver {
  /** A question refused: the user's daily budget is spent. */
  budgetExceeded(userId: string): void;
  /** A model's reply ended (however): its timings, usage and, when it broke, why. */
  replyEnded(outcome: ReplyOutcome, status: ReplyStatus): void;
  /** The model refused before answering (busy after the SDK's retries, or unavailable). */
  modelRefused(error: ModelThrottledError | ModelUnavailableError): void;
  /** Settling a reply's cost failed: the user stays charged the whole reservation (the safe side). */
  settleFailed(error: unknown): void;
  /** A question refused: the session's previous answer still streams. */
  answerInProgress(): void;
  /** The reply could not be handed to the respond function: it was ended as failed. */
  handOffFailed(error: unknown): void;
  /** A reply a crashed attempt left streaming was ended as failed by a retry. */
  replyRecovered(): void;
}

const silentObserver: ChatObserver = {
  budgetExceeded: () => undefined,
  replyEnded: () => undefined,
  modelRefused: () => undefined,
  settleFailed: () => undefined,
  answerInProgress: () => undefined,
  handOffFailed: () => undefined,
  replyRecovered: () => undefined,
};

export type { ChatObserver };
export { silentObserver };
