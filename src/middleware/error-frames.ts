import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { toErrorFrame } from '../domain/error-frame.ts';
import { ClientFrameError, UnknownConnectionError } from '../domain/errors.ts';
import { MetricName } from '../observability/metric-names.ts';
import type { Delivering, RouteMiddleware, RouteRequest } from './route-types.ts';

interface ErrorFramesOptions {
  logger: Logger;
  metrics: Metrics;
}

/**
 * For message routes: turns any error into one error frame posted to the sender. Unknown errors are
 * logged with their stack and counted; the client sees INTERNAL_ERROR only. Errors that end the
 * connection (an expired token) close it after the frame is sent.
 */
const errorFrames = ({ logger, metrics }: ErrorFramesOptions): RouteMiddleware<Delivering> => {
  const errorFramesOnError = async (request: RouteRequest<Delivering>) => {
    if (request.response !== undefined && request.response !== null) return;
    const { error, event } = request;
    const { connectionId, requestId } = event.requestContext;
    const frame = toErrorFrame(error, requestId);
    if (frame.error.code === 'INTERNAL_ERROR') {
      logger.error('Unhandled error in route handler', error ?? 'no error object');
      metrics.addMetric(MetricName.HandlerError, 'Count', 1);
    } else if (error instanceof UnknownConnectionError) {
      // A frame the client sent is lost (its connection closed longer ago than the grace, or has no row): an operator must see it.
      logger.warn('Frame refused: its connection is unknown or closed; the frame is lost', { routeKey: event.requestContext.routeKey });
      metrics.addMetric(MetricName.FrameRefusedUnknownConnection, 'Count', 1);
      metrics.addMetric(MetricName.ClientError, 'Count', 1);
    } else {
      // Debug, not info: a client flooding bad frames must not flood the logs (ClientError counts them).
      logger.debug('Frame refused', { code: frame.error.code, reason: frame.error.message });
      metrics.addMetric(MetricName.ClientError, 'Count', 1);
    }
    const { delivery } = request.context;
    await delivery.post(connectionId, frame);
    if (error instanceof ClientFrameError && error.closeConnection) await delivery.close(connectionId);
    // Not returned: returning would stop the onError chain before Powertools flushes metrics and traces.
    request.response = { statusCode: frame.error.code === 'INTERNAL_ERROR' ? 500 : 200 };
  };
  return { onError: errorFramesOnError };
};

export { errorFrames };
