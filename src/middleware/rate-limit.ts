import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj, Request } from '@middy/core';
import type { RateLimitPolicy } from '../config/app-config.ts';
import type { ConnectionStore } from '../data/connection-store.ts';
import type { Clock } from '../domain/clock.ts';
import { ForbiddenError, RateLimitedError } from '../domain/errors.ts';
import { MetricName } from '../observability/metric-names.ts';
import type { WebSocketEvent } from './route-types.ts';

interface RateLimitOptions {
  connections: ConnectionStore;
  policy: RateLimitPolicy;
  clock: Clock;
  metrics: Metrics;
}

/**
 * A token bucket per connection (burst, refill per second), kept on the connection row and taken in
 * the same conditional write that pushes the row's idle expiry forward. Runs after validation, so an
 * invalid frame writes nothing. A frame from a connection with no live row is refused and the
 * connection closed, so the client reconnects and registers again.
 */
const rateLimit = ({ connections, policy, clock, metrics }: RateLimitOptions): MiddlewareObj<WebSocketEvent<unknown>> => {
  const rateLimitBefore = async (request: Request<WebSocketEvent<unknown>>) => {
    const { connectionId } = request.event.requestContext;
    const admission = await connections.admitFrame(connectionId, clock.nowMs(), policy);
    if (admission.outcome === 'limited') {
      metrics.addMetric(MetricName.RateLimited, 'Count', 1);
      throw new RateLimitedError(admission.retryAfterMs);
    }
    if (admission.outcome === 'unknown-connection') {
      throw new ForbiddenError('This connection is not registered or has expired; reconnect', { closeConnection: true });
    }
    metrics.addMetric(MetricName.FrameAdmitted, 'Count', 1);
  };
  return { before: rateLimitBefore };
};

export { rateLimit };
