import type { MiddlewareObj, Request } from '@middy/core';
import { createError } from '@middy/util';
import type { ConnectionStore } from '../data/connection-store.ts';
import type { Clock } from '../domain/clock.ts';
import type { RouteContext, WebSocketEvent } from './route-types.ts';

interface ConnectionCapOptions {
  connections: ConnectionStore;
  maxConnectionsPerUser: number;
  clock: Clock;
}

/**
 * At $connect: refuses the handshake with 429 when the user already holds the maximum of live
 * connections. The count comes from an eventually consistent index, so simultaneous connects can
 * overshoot by the few that raced (README, "Reliability").
 */
const connectionCap = (opts: ConnectionCapOptions): MiddlewareObj<WebSocketEvent<unknown>, unknown, Error, RouteContext> => {
  const { connections, maxConnectionsPerUser, clock } = opts;

  const connectionCapBefore = async (request: Request<WebSocketEvent<unknown>, unknown, Error, RouteContext>) => {
    const live = await connections.countLive(request.context.auth.userId, clock.nowMs());
    if (live >= maxConnectionsPerUser) {
      throw createError(429, `Too many connections: at most ${maxConnectionsPerUser} per user`, {
        cause: { package: 'connection-cap', data: { live, max: maxConnectionsPerUser } },
      });
    }
  };

  return { before: connectionCapBefore };
};

export { connectionCap };
