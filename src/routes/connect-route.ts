import type { Clock } from '../domain/clock.ts';
import { connectionEndsAt, openRowExpiresAt, rowLingerSeconds } from '../domain/connection-lifetime.ts';
import type { ConnectionStore } from '../domain/connection-store.ts';
import type { Route } from '../middleware/route-chain.ts';
import type { Authenticated, WithConnectionSlot } from '../middleware/route-types.ts';
import { headerValue } from './header-value.ts';

interface ConnectRouteDependencies {
  connections: ConnectionStore;
  clock: Clock;
  idleTimeoutSeconds: number;
}

/** The first of the subprotocols the client offered; API Gateway refuses the handshake unless it is echoed. */
const chosenSubprotocol = (headers: Record<string, string | undefined> = {}): string | undefined => {
  const offered = headerValue(headers, 'Sec-WebSocket-Protocol');
  return offered?.split(',')[0]?.trim() || undefined;
};

/**
 * $connect: registers the connection, live until its end: 2 hours after API Gateway accepted it, or
 * the token's expiry when sooner (src/domain/connection-lifetime.ts). Never posts (API Gateway answers
 * 410 until $connect returns). ConnectionOpened is counted by the cap, once the connection is sure to stay.
 */
const createConnectRoute = ({ connections, clock, idleTimeoutSeconds }: ConnectRouteDependencies): Route<Authenticated & WithConnectionSlot> => {
  const lingerSeconds = rowLingerSeconds(idleTimeoutSeconds);
  return async function connect(event, context) {
    const nowMs = clock.nowMs();
    // API Gateway's own connectedAt, as every later event carries it: the pong reports the same end.
    const endsAt = connectionEndsAt(event.requestContext.connectedAt ?? nowMs, context.auth.tokenExpiresAt);
    await connections.register({
      connectionId: event.requestContext.connectionId,
      userId: context.auth.userId,
      connectedAt: nowMs,
      lastSeenAt: nowMs,
      expiresAt: openRowExpiresAt(endsAt, lingerSeconds),
      slotKey: context.connectionSlot,
    });
    const subprotocol = chosenSubprotocol(event.headers);
    return { statusCode: 200, ...(subprotocol ? { headers: { 'Sec-WebSocket-Protocol': subprotocol } } : {}) };
  };
};

export type { ConnectRouteDependencies };
export { chosenSubprotocol, createConnectRoute };
