import type { Clock } from '../domain/clock.ts';
import type { RouteContext, RouteResponse, WebSocketEvent } from '../middleware/route-types.ts';
import type { PingFrameInput } from '../schemas/index.ts';

/** ping: the rate limiter's write has already pushed the connection's idle expiry; answer pong with it. */
const createPingRoute = ({ clock }: { clock: Clock }) =>
  async function ping(event: WebSocketEvent<PingFrameInput>, context: RouteContext): Promise<RouteResponse> {
    const expiresAt = context.connectionExpiresAt;
    if (expiresAt === undefined) throw new Error('The ping route runs behind the rate limiter, whose write sets the idle expiry');
    const { connectionId } = event.requestContext;
    await context.delivery.post(connectionId, {
      type: 'pong',
      data: { connectionId, serverTime: new Date(clock.nowMs()).toISOString(), expiresAt },
    });
    return { statusCode: 200 };
  };

export { createPingRoute };
