import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Clock } from '../domain/clock.ts';
import type { ConnectionStore } from '../domain/connection-store.ts';
import { MetricName } from '../observability/metric-names.ts';
import type { Delivering, RouteMiddleware } from './route-types.ts';

interface StaleConnectionsOptions {
  connections: ConnectionStore;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
}

/**
 * When the request ends (success or error), removes exactly
 * the connections that answered 410 Gone: the stale ones, never the sender because it sent. A
 * connection registered within the last 30 s is kept: API Gateway also answers 410 while a
 * connection is still inside `$connect`, and removing its row would refuse its first frame.
 */
/** Removes the rows of the connections that answered 410 (see `staleConnections`); shared with the respond function. */
const removeStaleConnections = async ({ connections, clock, logger, metrics }: StaleConnectionsOptions, gone: string[]): Promise<void> => {
  const nowMs = clock.nowMs();
  const results = await Promise.allSettled(gone.map((connectionId) => connections.removeStale(connectionId, nowMs)));
  const removed = results.filter((result) => result.status === 'fulfilled' && result.value).length;
  metrics.addMetric(MetricName.StaleConnectionRemoved, 'Count', removed);
  logger.info('Removed stale connections', { staleConnectionIds: gone, removed });
  for (const result of results) {
    if (result.status === 'rejected') logger.warn('Could not remove a stale connection', { error: String(result.reason) });
  }
};

const staleConnections = (opts: StaleConnectionsOptions): RouteMiddleware<Delivering> => {
  // Synchronous when nothing went stale (the common case): no promise, no extra microtask per request.
  const staleConnectionsCleanup = (request: { context: Delivering }) => {
    const { gone } = request.context.delivery;
    if (gone.size === 0) return undefined;
    return removeStaleConnections(opts, [...gone]);
  };

  return { after: staleConnectionsCleanup, onError: staleConnectionsCleanup };
};

export type { StaleConnectionsOptions };
export { removeStaleConnections, staleConnections };
