import type { Clock } from '../domain/clock.ts';
import { connectionEndsAt } from '../domain/connection-lifetime.ts';
import type { Route } from '../middleware/route-chain.ts';
import type { Admitted, Authenticated, Delivering } from '../middleware/route-types.ts';

/**
 * ping: a data frame, so its arrival resets API Gateway's idle timeout; the row's lifetime does not
 * move (src/domain/connection-lifetime.ts). The pong's expiresAt is when the server ends the connection at the latest (2 h after it was accepted,
 * or the token's expiry), from the same facts `$connect` used. A ping sent just before its connection
 * closed (the limiter's admission says so) gets no pong: there is no one to read it.
 */
const createPingRoute = ({ clock }: { clock: Clock }): Route<Authenticated & Delivering & Admitted> =>
  async function ping(event, context) {
    if (context.admission.closed) return { statusCode: 200 };
    const { connectionId, connectedAt } = event.requestContext;
    const expiresAt = connectionEndsAt(connectedAt ?? clock.nowMs(), context.auth.tokenExpiresAt);
    await context.delivery.post(connectionId, {
      type: 'pong',
      data: { connectionId, serverTime: new Date(clock.nowMs()).toISOString(), expiresAt },
    });
    return { statusCode: 200 };
  };

export { createPingRoute };
