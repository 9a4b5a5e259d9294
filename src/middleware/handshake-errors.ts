import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import httpErrorHandler from '@middy/http-error-handler';
import { Refusal } from '../domain/errors.ts';
import { MetricName } from '../observability/metric-names.ts';
import type { RouteMiddleware } from './route-types.ts';

interface HandshakeErrorsOptions {
  logger: Logger;
  metrics: Metrics;
}

/**
 * For $connect (and $disconnect): a refusal becomes the handshake's status (401, 403, 429) with its
 * message and headers; any other error is logged with its stack, counted, and answered with a bare 500.
 */
const handshakeErrors = ({ logger, metrics }: HandshakeErrorsOptions): RouteMiddleware => {
  const logHandshakeError = (error: Error) => {
    if (error instanceof Refusal) {
      logger.info('Handshake refused', { statusCode: error.statusCode, reason: error.message });
      metrics.addMetric(MetricName.ConnectionRefused, 'Count', 1);
      return;
    }
    logger.error('Unhandled error in connection handler', error);
    metrics.addMetric(MetricName.HandlerError, 'Count', 1);
  };
  return httpErrorHandler({ logger: logHandshakeError, fallbackMessage: 'Internal server error' });
};

export { handshakeErrors };
