import type { MiddlewareObj, Request } from '@middy/core';
import { BadRequestError } from '../domain/errors.ts';
import type { WebSocketEvent } from './route-types.ts';

/** Parses the frame's JSON body in place (as @middy/http-json-body-parser does); not JSON → BAD_REQUEST. */
const parseFrame = (): MiddlewareObj<WebSocketEvent<unknown>> => {
  const parseFrameBefore = (request: Request<WebSocketEvent<unknown>>) => {
    const { body } = request.event;
    if (typeof body !== 'string' || body.length === 0) throw new BadRequestError('Frame is empty; send a JSON object');
    try {
      request.event.body = JSON.parse(body) as unknown;
    } catch (error) {
      throw Object.assign(new BadRequestError('Frame is not valid JSON'), { cause: error });
    }
  };
  return { before: parseFrameBefore };
};

export { parseFrame };
