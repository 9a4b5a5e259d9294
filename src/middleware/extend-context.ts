import type { Context } from 'aws-lambda';

/** The per-request contexts this module made: the only context objects it may write to. */
const requestContexts = new WeakSet<object>();

/**
 * Adds per-request fields to the context the handler receives, without mutating the Lambda context
 * object (which may be frozen, and belongs to the runtime): the first call of a request makes one
 * object that inherits from it, and every later middleware of the same request adds its fields to
 * that same object. One object per request, not one per middleware, keeps property lookups on a
 * short prototype chain. Plain assignment keeps V8's fast properties (property descriptors would not).
 */
const extendContext = <C extends Context>(request: { context: C }, fields: Partial<C>): void => {
  if (requestContexts.has(request.context)) {
    Object.assign(request.context, fields);
    return;
  }
  const context = Object.assign(Object.create(request.context), fields);
  requestContexts.add(context);
  request.context = context;
};

export { extendContext };
