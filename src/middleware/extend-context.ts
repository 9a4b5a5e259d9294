import type { Context } from 'aws-lambda';

/**
 * Adds per-request fields to the context the handler receives, without mutating the Lambda context
 * object (which may be frozen, and belongs to the runtime): the new context inherits from it.
 * Plain assignment on a fresh object keeps V8's fast properties (property descriptors would not).
 */
const extendContext = <C extends Context>(request: { context: C }, fields: Partial<C>): void => {
  request.context = Object.assign(Object.create(request.context), fields);
};

export { extendContext };
