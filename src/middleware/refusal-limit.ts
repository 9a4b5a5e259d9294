import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Clock } from '../domain/clock.ts';
import type { ConnectionStore } from '../domain/connection-store.ts';
import { toErrorFrame } from '../domain/error-frame.ts';
import type { RefusalPolicy } from '../domain/policies.ts';
import { MetricName } from '../observability/metric-names.ts';
import type { Delivering, RouteMiddleware, RouteRequest } from './route-types.ts';

interface RefusalLimitOptions {
  connections: ConnectionStore;
  policy: RefusalPolicy;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
}

/** Refusals a client earns by what it sends. FORBIDDEN closes the connection anyway; INTERNAL_ERROR is ours. */
const COUNTED_CODES = new Set(['BAD_REQUEST', 'VALIDATION_ERROR', 'UNKNOWN_ACTION', 'RATE_LIMITED']);

/**
 * Closes a connection that keeps sending frames the server refuses (invalid, unknown actions, over
 * the rate limit): the `maxRefusals`-th refusal within one `windowSeconds` window closes it through
 * the management API, after its error frame (use it outside `errorFrames`). Only refusals are
 * counted, with one UpdateItem on the connection's row, so valid traffic pays nothing for it.
 * Counting is best effort: a failed count is logged and the frame's answer is unchanged.
 */
const refusalLimit = (opts: RefusalLimitOptions): RouteMiddleware<Delivering> => {
  const { connections, policy, clock, logger, metrics } = opts;

  const refusalLimitOnError = async (request: RouteRequest<Delivering>) => {
    const { connectionId, requestId } = request.event.requestContext;
    if (!COUNTED_CODES.has(toErrorFrame(request.error, requestId).error.code)) return;
    let refusals: number | undefined;
    try {
      refusals = await connections.countRefusal(connectionId, clock.nowMs(), policy.windowSeconds);
    } catch (error) {
      logger.warn('Could not count a refused frame', { error: String(error) });
      return;
    }
    if (refusals === undefined || refusals < policy.maxRefusals) return;
    // Exactly one refusal sees the limit itself: the close is counted and logged once per connection.
    if (refusals === policy.maxRefusals) {
      metrics.addMetric(MetricName.ConnectionClosedForRefusals, 'Count', 1);
      logger.warn('Closing a connection that keeps sending refused frames', {
        // The authorizer's user: this middleware runs outside authContext, which may have refused the frame.
        userId: request.event.requestContext.authorizer?.userId,
        refusals,
        windowSeconds: policy.windowSeconds,
      });
    }
    await request.context.delivery.close(connectionId);
  };

  return { onError: refusalLimitOnError };
};

export { refusalLimit };
