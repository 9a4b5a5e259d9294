/*
 * The protocol's error codes and details, as an `error` frame carries them (README, "Protocol").
 * Shared by the server (its error classes in src/domain/errors.ts) and the browser client.
 */
type ErrorCode =
  | 'BAD_REQUEST'
  | 'VALIDATION_ERROR'
  | 'UNKNOWN_ACTION'
  | 'RATE_LIMITED'
  | 'FORBIDDEN'
  | 'MESSAGE_TOO_LARGE'
  /** The model is busy (throttled after the SDK's retries): resend the same frame after `retryAfterMs`, as for RATE_LIMITED. */
  | 'MODEL_BUSY'
  /** The assistant cannot answer (its model refused the request): retrying does not help until an operator acts. */
  | 'ASSISTANT_UNAVAILABLE'
  /** The user's output tokens for the day are spent: `retryAfterMs` is the time until the budget resets (00:00 UTC). */
  | 'BUDGET_EXCEEDED'
  /** The session's previous answer is still streaming (one answer at a time per session): nothing was stored; cancel it or wait. */
  | 'ANSWER_IN_PROGRESS'
  | 'INTERNAL_ERROR';

interface ErrorDetail {
  field: string;
  problem: string;
}

export type { ErrorCode, ErrorDetail };
