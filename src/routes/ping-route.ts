import { type Clock, toEpochSeconds } from '../domain/clock.ts';
import type { RouteContext, RouteResponse, WebSocketEvent } from '../middleware/route-types.ts';
import type { PingFrameInput } from '../schemas/index.ts';

/** ping: the rate limiter's write has already pushed the connection's idle expiry; answer pong. */
const createPingRoute = ({ clock, idleTimeoutSeconds }: { clock: Clock; idleTimeoutSeconds: number }) =>
  async function ping(event: WebSocketEvent<PingFrameInput>, context: RouteContext): Promise<RouteResponse> {
    const nowMs = clock.nowMs();
    const { connectionId } = event.requestContext;
    await context.delivery.post(connectionId, {
      type: 'pong',
      data: { connectionId, serverTime: new Date(nowMs).toISOString(), expiresAt: toEpochSeconds(nowMs) + idleTimeoutSeconds },
    });
    return { statusCode: 200 };
  };

export { createPingRoute };
