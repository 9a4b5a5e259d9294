import type { Request } from '@middy/core';

/**
 * Adds per-request fields to the context the handler receives, without mutating the Lambda context
 * object (which may be frozen, and belongs to the runtime): the new context inherits from it.
 * Plain assignment on a fresh object keeps V8's fast properties (property descriptors would not).
 */
const extendContext = (request: Request<any, any, any, any>, fields: Record<string, unknown>): void => {
  request.context = Object.assign(Object.create(request.context as object) as object, fields);
};

export { extendContext };
