import { composeDisconnectRoute } from '../middleware/compose.ts';
import type { RouteResponse, WebSocketEvent } from '../middleware/route-types.ts';
import { MetricName } from '../observability/metric-names.ts';
import { buildConnectionStore, tools } from '../runtime/route-dependencies.ts';

const connections = buildConnectionStore();

/** $disconnect: forgets the connection. Deleting a missing row succeeds, so a second run is harmless. */
const disconnect = async (event: WebSocketEvent<undefined>): Promise<RouteResponse> => {
  await connections.remove(event.requestContext.connectionId);
  tools.metrics.addMetric(MetricName.ConnectionClosed, 'Count', 1);
  tools.logger.info('Connection closed', {
    disconnectStatusCode: event.requestContext.disconnectStatusCode,
    disconnectReason: event.requestContext.disconnectReason,
  });
  return { statusCode: 200 };
};

export const handler = composeDisconnectRoute(disconnect, { tools });
