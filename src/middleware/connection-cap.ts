import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj, Request } from '@middy/core';
import { createError } from '@middy/util';
import type { ConnectionStore } from '../data/connection-store.ts';
import type { Clock } from '../domain/clock.ts';
import { MetricName } from '../observability/metric-names.ts';
import type { RouteContext, WebSocketEvent } from './route-types.ts';

interface ConnectionCapOptions {
  connections: ConnectionStore;
  maxConnectionsPerUser: number;
  clock: Clock;
  metrics: Metrics;
}

/**
 * At $connect: refuses the handshake with 429 when the user already holds the maximum of live
 * connections. Connects that race past that first count are settled after registering: each one
 * lists the user's live connections oldest first and backs out (removes its row, 429) unless it is
 * among the first `max`. The index is eventually consistent, so racers that cannot see each other
 * yet may still overshoot (README, "Reliability and security"). A connection that stays is counted
 * as ConnectionOpened here, so one that backs out counts only as refused.
 */
const connectionCap = (opts: ConnectionCapOptions): MiddlewareObj<WebSocketEvent<unknown>, unknown, Error, RouteContext> => {
  const { connections, maxConnectionsPerUser, clock, metrics } = opts;

  const refuse = (live: number) =>
    createError(429, `Too many connections: at most ${maxConnectionsPerUser} per user`, {
      cause: { package: 'connection-cap', data: { live, max: maxConnectionsPerUser } },
    });

  const connectionCapBefore = async (request: Request<WebSocketEvent<unknown>, unknown, Error, RouteContext>) => {
    const live = await connections.countLive(request.context.auth.userId, clock.nowMs());
    if (live >= maxConnectionsPerUser) throw refuse(live);
  };

  const connectionCapAfter = async (request: Request<WebSocketEvent<unknown>, unknown, Error, RouteContext>) => {
    if ((request.response as { statusCode?: number } | undefined)?.statusCode !== 200) return;
    const { connectionId } = request.event.requestContext;
    const oldestFirst = await connections.listLiveByAge(request.context.auth.userId, clock.nowMs());
    // Not yet visible in the index: nothing to settle against.
    const rank = oldestFirst.indexOf(connectionId);
    if (rank < maxConnectionsPerUser) {
      metrics.addMetric(MetricName.ConnectionOpened, 'Count', 1);
      return;
    }
    await connections.remove(connectionId);
    throw refuse(oldestFirst.length);
  };

  return { before: connectionCapBefore, after: connectionCapAfter };
};

export { connectionCap };
