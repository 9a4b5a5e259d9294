import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Clock } from '../domain/clock.ts';
import type { ConnectionStore } from '../domain/connection-store.ts';
import { RateLimitedError, UnknownConnectionError } from '../domain/errors.ts';
import type { RateLimitPolicy } from '../domain/policies.ts';
import { MetricName } from '../observability/metric-names.ts';
import { extendContext } from './extend-context.ts';
import type { Admitted, Authenticated, Delivering, RouteMiddleware, RouteRequest } from './route-types.ts';

/** DynamoDB's own throttling, after the SDK's retries ran out. */
const THROTTLING_ERRORS = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded']);

const isThrottling = (error: unknown): boolean => error instanceof Error && THROTTLING_ERRORS.has(error.name);

/** What a client is told to wait when DynamoDB throttled the bucket itself (frames and handshakes). */
const THROTTLED_RETRY_AFTER_MS = 1_000;

interface RateLimitOptions {
  connections: ConnectionStore;
  policy: RateLimitPolicy;
  clock: Clock;
  metrics: Metrics;
}

/**
 * A token bucket per user (burst, refill per second), shared by all of the user's connections, so a
 * reconnect starts with what the user has left, not a full bucket. Taken with one conditional write,
 * in parallel with the write that checks the connection's row (one round trip). Runs
 * after validation, so an invalid frame takes no token. A frame from a connection with no live row
 * is refused and the connection closed, so the client reconnects and registers again. When DynamoDB
 * throttles these writes beyond the SDK's retries, the frame is refused as RATE_LIMITED (fail closed).
 * Adds how the frame was admitted (`context.admission`); a frame sent just before its connection
 * closed is processed, with nothing posted to the gone socket (its Delivery is told).
 */
const rateLimit = ({ connections, policy, clock, metrics }: RateLimitOptions): RouteMiddleware<Authenticated & Delivering, Admitted> => {
  const rateLimitBefore = async (request: RouteRequest<Authenticated & Delivering & Admitted>) => {
    const { connectionId } = request.event.requestContext;
    const { userId } = request.context.auth;
    const admission = await connections.admitFrame(connectionId, userId, clock.nowMs(), policy).catch((error: unknown) => {
      // Fail closed, but as what it is: the client backs off instead of seeing INTERNAL_ERROR.
      if (!isThrottling(error)) throw error;
      return { outcome: 'limited' as const, retryAfterMs: THROTTLED_RETRY_AFTER_MS };
    });
    if (admission.outcome === 'limited') {
      metrics.addMetric(MetricName.RateLimited, 'Count', 1);
      throw new RateLimitedError(admission.retryAfterMs);
    }
    if (admission.outcome === 'unknown-connection') throw new UnknownConnectionError();
    metrics.addMetric(MetricName.FrameAdmitted, 'Count', 1);
    if (admission.closed) request.context.delivery.treatAsClosed(connectionId);
    extendContext(request, { admission: { closed: admission.closed } });
  };
  return { adds: ['admission'], before: rateLimitBefore };
};

export { isThrottling, rateLimit, THROTTLED_RETRY_AFTER_MS };
