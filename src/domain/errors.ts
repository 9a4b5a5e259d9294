import type { ErrorCode, ErrorDetail } from '../protocol/error-codes.ts';

/**
 * Errors a client may see. Each carries the protocol's error code and an HTTP-like status; `expose`
 * marks the message as safe to show (Middy's convention: only status < 500 is exposed).
 */
class ClientFrameError extends Error {
  public readonly code: ErrorCode;
  public readonly statusCode: number;
  public readonly expose = true;
  /** Close the connection after telling the client (a token that has expired). */
  public readonly closeConnection: boolean;

  public constructor(code: ErrorCode, statusCode: number, message: string, options: { closeConnection?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ClientFrameError';
    this.code = code;
    this.statusCode = statusCode;
    this.closeConnection = options.closeConnection ?? false;
  }
}

class BadRequestError extends ClientFrameError {
  public constructor(message = 'Frame is not valid JSON') {
    super('BAD_REQUEST', 400, message);
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
  public readonly retryAfterMs: number;

  public constructor(retryAfterMs: number) {
    super('RATE_LIMITED', 429, `Too many frames; retry after ${retryAfterMs} ms`);
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
  public constructor(message = 'The answer was over API Gateway\'s 128 KB message limit; ask again for less (a smaller limit)') {
    super('MESSAGE_TOO_LARGE', 413, message);
    this.name = 'MessageTooLargeError';
  }
}

export {
  ClientFrameError,
  BadRequestError,
  FrameValidationError,
  UnknownActionError,
  RateLimitedError,
  ForbiddenError,
  UnknownConnectionError,
  TokenExpiredError,
  MessageTooLargeError,
};
