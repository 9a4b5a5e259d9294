import type { Clock } from '../domain/clock.ts';
import { connectionEndsAt } from '../domain/connection-lifetime.ts';
import type { RouteContext, RouteResponse, WebSocketEvent } from '../middleware/route-types.ts';
import type { PingFrameInput } from '../schemas/index.ts';

/**
 * ping: a data frame, so its arrival resets API Gateway's idle timeout; the row's lifetime does not
 * move (src/domain/connection-lifetime.ts). The pong's expiresAt is when the server ends the connection at the latest (2 h after it was accepted,
 * or the token's expiry), from the same facts `$connect` used.
 */
const createPingRoute = ({ clock }: { clock: Clock }) =>
  async function ping(event: WebSocketEvent<PingFrameInput>, context: RouteContext): Promise<RouteResponse> {
    const { connectionId, connectedAt } = event.requestContext;
    const expiresAt = connectionEndsAt(connectedAt ?? clock.nowMs(), context.auth.tokenExpiresAt);
    await context.delivery.post(connectionId, {
      type: 'pong',
      data: { connectionId, serverTime: new Date(clock.nowMs()).toISOString(), expiresAt },
    });
    return { statusCode: 200 };
  };

export { createPingRoute };
