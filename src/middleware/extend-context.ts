import type { Request } from '@middy/core';

/**
 * Adds per-request fields to the context the handler receives, without mutating the Lambda context
 * object (which may be frozen, and belongs to the runtime): the new context inherits from it.
 */
const extendContext = (request: Request<any, any, any, any>, fields: Record<string, unknown>): void => {
  const descriptors = Object.fromEntries(
    Object.entries(fields).map(([key, value]) => [key, { value, enumerable: true, writable: true, configurable: true }]),
  );
  request.context = Object.create(request.context as object, descriptors);
};

export { extendContext };
