import type { ErrorCode, ErrorDetail } from '../protocol/error-codes.ts';

/**
 * Every refusal the server gives a client is one of these classes, narrowed with `instanceof`: frame
 * errors (an error frame with the protocol's code), handshake refusals (the `$connect` status) and the
 * authorizer's `Unauthorized`. Anything else that is thrown is ours, and the client sees only that
 * something went wrong.
 */
/**
 * A refusal: its message is safe to show the client. `statusCode` and `expose` follow Middy's HTTP
 * error convention, which @middy/http-error-handler reads to answer a handshake.
 */
class Refusal extends Error {
  public readonly statusCode: number;
  public readonly expose = true;

  public constructor(statusCode: number, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'Refusal';
    this.statusCode = statusCode;
  }
}

/** A refused frame: answered with an error frame carrying `code`. */
class ClientFrameError extends Refusal {
  public readonly code: ErrorCode;
  /** Close the connection after telling the client (a token that has expired). */
  public readonly closeConnection: boolean;
  /** When the client may try again (RATE_LIMITED). */
  public readonly retryAfterMs: number | undefined;

  public constructor(code: ErrorCode, statusCode: number, message: string, options: { closeConnection?: boolean; retryAfterMs?: number; cause?: unknown } = {}) {
    super(statusCode, message, options);
    this.name = 'ClientFrameError';
    this.code = code;
    this.closeConnection = options.closeConnection ?? false;
    this.retryAfterMs = options.retryAfterMs;
  }
}

class BadRequestError extends ClientFrameError {
  public constructor(message = 'Frame is not valid JSON', options: { cause?: unknown } = {}) {
    super('BAD_REQUEST', 400, message, options);
    this.name = 'BadRequestError';
  }
}

class FrameValidationError extends ClientFrameError {
  public readonly details: ErrorDetail[];

  public constructor(details: ErrorDetail[]) {
    const summary = details.map((detail) => `${detail.field} ${detail.problem}`).join('; ');
    super('VALIDATION_ERROR', 400, `Invalid frame: ${summary}`);
    this.name = 'FrameValidationError';
    this.details = details;
  }
}

class UnknownActionError extends ClientFrameError {
  public constructor(action: unknown) {
    const shown = typeof action === 'string' ? `"${action.slice(0, 64)}"` : 'missing';
    super('UNKNOWN_ACTION', 400, `Unknown action ${shown}; expected one of chat_message, ping, history`);
    this.name = 'UnknownActionError';
  }
}

class RateLimitedError extends ClientFrameError {
  public override readonly retryAfterMs: number;

  public constructor(retryAfterMs: number) {
    super('RATE_LIMITED', 429, `Too many frames; retry after ${retryAfterMs} ms`, { retryAfterMs });
    this.name = 'RateLimitedError';
    this.retryAfterMs = retryAfterMs;
  }
}

class ForbiddenError extends ClientFrameError {
  public constructor(message: string, options: { closeConnection?: boolean } = {}) {
    super('FORBIDDEN', 403, message, options);
    this.name = 'ForbiddenError';
  }
}

/** A frame whose connection has no row, or one past its close's grace: the frame is lost, the operator told. */
class UnknownConnectionError extends ForbiddenError {
  public constructor() {
    super('This connection is not registered or has expired; reconnect', { closeConnection: true });
    this.name = 'UnknownConnectionError';
  }
}

class TokenExpiredError extends ForbiddenError {
  public constructor() {
    super('Token expired; reconnect with a fresh token', { closeConnection: true });
    this.name = 'TokenExpiredError';
  }
}

/**
 * API Gateway refused the answer for its size (413 PayloadTooLargeException from @connections): the
 * client asks again for less (a smaller history `limit`).
 */
class MessageTooLargeError extends ClientFrameError {
  public constructor(message = "The answer was over API Gateway's 128 KB message limit; ask again for less (a smaller limit)") {
    super('MESSAGE_TOO_LARGE', 413, message);
    this.name = 'MessageTooLargeError';
  }
}

/** The model stayed busy through the SDK's retries: the client resends the same frame after `retryAfterMs`. */
class ModelBusyError extends ClientFrameError {
  public override readonly retryAfterMs: number;

  public constructor(retryAfterMs: number, options: { cause?: unknown } = {}) {
    super('MODEL_BUSY', 503, `The assistant is busy; retry after ${retryAfterMs} ms`, { retryAfterMs, ...options });
    this.name = 'ModelBusyError';
    this.retryAfterMs = retryAfterMs;
  }
}

/** The model refused the request (access, an unknown model, a request it rejects): said without internals. */
class AssistantUnavailableError extends ClientFrameError {
  public constructor(options: { cause?: unknown } = {}) {
    super('ASSISTANT_UNAVAILABLE', 503, 'The assistant is unavailable right now; please try again later', options);
    this.name = 'AssistantUnavailableError';
  }
}

/** The user's output tokens for the day are spent; the question was not stored. */
class BudgetExceededError extends ClientFrameError {
  public override readonly retryAfterMs: number;
  /** When the budget resets (ISO 8601, the next 00:00 UTC). */
  public readonly resetsAt: string;

  public constructor(resetsAtMs: number, nowMs: number) {
    const resetsAt = new Date(resetsAtMs).toISOString();
    const retryAfterMs = Math.max(0, resetsAtMs - nowMs);
    super('BUDGET_EXCEEDED', 429, `Your daily budget for the assistant is spent; it resets at ${resetsAt}`, { retryAfterMs });
    this.name = 'BudgetExceededError';
    this.retryAfterMs = retryAfterMs;
    this.resetsAt = resetsAt;
  }
}

/** One answer at a time per session: the previous one still streams. Nothing was stored. */
class AnswerInProgressError extends ClientFrameError {
  public constructor() {
    super('ANSWER_IN_PROGRESS', 409, 'The previous answer in this session is still being written; cancel it or wait for it to end');
    this.name = 'AnswerInProgressError';
  }
}

/** A refused `$connect`: its status (and headers) become the handshake's answer. */
class HandshakeRefusedError extends Refusal {
  public readonly headers: Record<string, string>;

  public constructor(statusCode: number, message: string, headers: Record<string, string> = {}) {
    super(statusCode, message);
    this.name = 'HandshakeRefusedError';
    this.headers = headers;
  }
}

/** The user already holds the most connections allowed. */
class ConnectionLimitError extends HandshakeRefusedError {
  public readonly max: number;

  public constructor(max: number) {
    super(429, `Too many connections: at most ${max} per user`);
    this.name = 'ConnectionLimitError';
    this.max = max;
  }
}

/** The user opened connections faster than the connect rate allows. */
class ConnectRateLimitedError extends HandshakeRefusedError {
  public readonly retryAfterMs: number;

  public constructor(retryAfterMs: number) {
    super(429, `Too many connection attempts; retry after ${retryAfterMs} ms`, { 'Retry-After': String(Math.ceil(retryAfterMs / 1000)) });
    this.name = 'ConnectRateLimitedError';
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * The authorizer's refusal. API Gateway answers the handshake 401 only for this exact message; the
 * reason (a bad token, an unreachable JWKS) is logged, never returned.
 */
class UnauthorizedError extends Refusal {
  public constructor(options: { cause?: unknown } = {}) {
    super(401, 'Unauthorized', options);
    this.name = 'UnauthorizedError';
  }
}

export {
  AnswerInProgressError,
  AssistantUnavailableError,
  BadRequestError,
  BudgetExceededError,
  ClientFrameError,
  ConnectionLimitError,
  ConnectRateLimitedError,
  ForbiddenError,
  FrameValidationError,
  HandshakeRefusedError,
  MessageTooLargeError,
  ModelBusyError,
  RateLimitedError,
  Refusal,
  TokenExpiredError,
  UnauthorizedError,
  UnknownActionError,
  UnknownConnectionError,
};
