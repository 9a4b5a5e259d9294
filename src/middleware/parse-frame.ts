import { BadRequestError } from '../domain/errors.ts';
import { extendContext } from './extend-context.ts';
import type { NoContext, RouteMiddleware, WithFrame } from './route-types.ts';

/**
 * Parses the frame's JSON body onto `context.frame` (the event stays as API Gateway sent it);
 * not JSON → BAD_REQUEST. What the frame is, `validateFrame` says.
 */
const parseFrame = (): RouteMiddleware<NoContext, WithFrame<unknown>> => ({
  adds: ['frame'],
  before: (request) => {
    const { body } = request.event;
    if (typeof body !== 'string' || body.length === 0) throw new BadRequestError('Frame is empty; send a JSON object');
    let frame: unknown;
    try {
      frame = JSON.parse(body);
    } catch (error) {
      throw new BadRequestError('Frame is not valid JSON', { cause: error });
    }
    extendContext(request, { frame });
  },
});

export { parseFrame };
