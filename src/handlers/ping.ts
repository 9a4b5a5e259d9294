import { composeMessageRoute } from '../middleware/compose.ts';
import type { RouteContext, RouteResponse, WebSocketEvent } from '../middleware/route-types.ts';
import { buildConnectionStore, buildSenderPool, clock, loadConnectionPolicy, loadRateLimitPolicy, tools } from '../runtime/route-dependencies.ts';
import validatePing from '../schemas/compiled/ping.js';
import type { PingFrameInput } from '../schemas/index.ts';
import { toEpochSeconds } from '../domain/clock.ts';

const { idleTimeoutSeconds } = loadConnectionPolicy();

/** ping: the rate limiter's write has already pushed the connection's idle expiry; answer pong. */
const ping = async (event: WebSocketEvent<PingFrameInput>, context: RouteContext): Promise<RouteResponse> => {
  const nowMs = clock.nowMs();
  await context.delivery.post(event.requestContext.connectionId, {
    type: 'pong',
    data: {
      connectionId: event.requestContext.connectionId,
      serverTime: new Date(nowMs).toISOString(),
      expiresAt: toEpochSeconds(nowMs) + idleTimeoutSeconds,
    },
  });
  return { statusCode: 200 };
};

export const handler = composeMessageRoute(ping, {
  tools,
  clock,
  connections: buildConnectionStore(),
  senders: buildSenderPool(),
  frameValidator: validatePing,
  rateLimitPolicy: loadRateLimitPolicy(),
});
