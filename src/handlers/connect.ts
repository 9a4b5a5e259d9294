import { composeConnectRoute } from '../middleware/compose.ts';
import type { RouteContext, RouteResponse, WebSocketEvent } from '../middleware/route-types.ts';
import { MetricName } from '../observability/metric-names.ts';
import { buildConnectionStore, clock, loadConnectionPolicy, tools } from '../runtime/route-dependencies.ts';
import { toEpochSeconds } from '../domain/clock.ts';

const connections = buildConnectionStore();
const policy = loadConnectionPolicy();

/** The first of the subprotocols the client offered; API Gateway refuses the handshake unless it is echoed. */
const chosenSubprotocol = (event: WebSocketEvent<undefined>): string | undefined => {
  const headers = event.headers ?? {};
  const offered = Object.entries(headers).find(([name]) => name.toLowerCase() === 'sec-websocket-protocol')?.[1];
  return offered?.split(',')[0]?.trim() || undefined;
};

/** $connect: registers the connection with its idle expiry. Never posts (API Gateway answers 410 until $connect returns). */
const connect = async (event: WebSocketEvent<undefined>, context: RouteContext): Promise<RouteResponse> => {
  const nowMs = clock.nowMs();
  await connections.register({
    connectionId: event.requestContext.connectionId,
    userId: context.auth.userId,
    connectedAt: nowMs,
    lastSeenAt: nowMs,
    expiresAt: toEpochSeconds(nowMs) + policy.idleTimeoutSeconds,
  });
  tools.metrics.addMetric(MetricName.ConnectionOpened, 'Count', 1);
  const subprotocol = chosenSubprotocol(event);
  return { statusCode: 200, ...(subprotocol ? { headers: { 'Sec-WebSocket-Protocol': subprotocol } } : {}) };
};

export const handler = composeConnectRoute(connect, { tools, clock, connections, policy });
