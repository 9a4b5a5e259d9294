import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { ConnectionStore } from '../data/connection-store.ts';
import type { RouteResponse, WebSocketEvent } from '../middleware/route-types.ts';
import { MetricName } from '../observability/metric-names.ts';

/** $disconnect: forgets the connection. Deleting a missing row succeeds, so a second run is harmless. */
const createDisconnectRoute = ({ connections, logger, metrics }: { connections: ConnectionStore; logger: Logger; metrics: Metrics }) =>
  async function disconnect(event: WebSocketEvent<undefined>): Promise<RouteResponse> {
    await connections.remove(event.requestContext.connectionId);
    metrics.addMetric(MetricName.ConnectionClosed, 'Count', 1);
    logger.info('Connection closed', {
      disconnectStatusCode: event.requestContext.disconnectStatusCode,
      disconnectReason: event.requestContext.disconnectReason,
    });
    return { statusCode: 200 };
  };

export { createDisconnectRoute };
