/*
 * The protocol's error codes and details, as an `error` frame carries them (README, "Protocol").
 * Shared by the server (its error classes in src/domain/errors.ts) and the browser client.
 */
type ErrorCode = 'BAD_REQUEST' | 'VALIDATION_ERROR' | 'UNKNOWN_ACTION' | 'RATE_LIMITED' | 'FORBIDDEN' | 'MESSAGE_TOO_LARGE' | 'INTERNAL_ERROR';

interface ErrorDetail {
  field: string;
  problem: string;
}

export type { ErrorCode, ErrorDetail };
