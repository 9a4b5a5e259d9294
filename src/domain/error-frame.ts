import type { ErrorFrame } from '../protocol/frames.ts';
import { ClientFrameError, FrameValidationError } from './errors.ts';

/**
 * The error frame a client sees for an error. Only refusals the project raised for the client carry
 * their message; anything else is INTERNAL_ERROR with a fixed text: no internals, no stack.
 */
const toErrorFrame = (error: unknown, requestId: string): ErrorFrame => {
  if (error instanceof ClientFrameError) {
    const details = error instanceof FrameValidationError ? error.details : undefined;
    const { retryAfterMs } = error;
    return {
      type: 'error',
      error: {
        code: error.code,
        message: error.message,
        ...(details ? { details } : {}),
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      },
      requestId,
    };
  }
  return {
    type: 'error',
    error: { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side; please retry' },
    requestId,
  };
};

export { toErrorFrame };
