import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Clock } from '../domain/clock.ts';
import type { ConnectionStore } from '../domain/connection-store.ts';
import type { Route } from '../middleware/route-chain.ts';
import type { NoContext } from '../middleware/route-types.ts';
import { MetricName } from '../observability/metric-names.ts';

interface DisconnectRouteDependencies {
  connections: ConnectionStore;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
}

/**
 * $disconnect: marks the connection closed instead of deleting it. Frames the client sent just before
 * the close may still be on their way to their functions; the closed row admits them for a short grace
 * (nothing is posted back to the gone socket) and is never a recipient. A second run is harmless.
 */
const createDisconnectRoute = ({ connections, clock, logger, metrics }: DisconnectRouteDependencies): Route<NoContext> =>
  async function disconnect(event) {
    await connections.markDisconnected(event.requestContext.connectionId, clock.nowMs());
    metrics.addMetric(MetricName.ConnectionClosed, 'Count', 1);
    logger.info('Connection closed', {
      disconnectStatusCode: event.requestContext.disconnectStatusCode,
      disconnectReason: event.requestContext.disconnectReason,
    });
    return { statusCode: 200 };
  };

export { createDisconnectRoute };
