import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import httpErrorHandler from '@middy/http-error-handler';
import type { MiddlewareObj } from '@middy/core';
import { MetricName } from '../observability/metric-names.ts';

interface HandshakeErrorsOptions {
  logger: Logger;
  metrics: Metrics;
}

/**
 * For $connect (and $disconnect): an HTTP error becomes the handshake's status (401, 403, 429); any
 * other error is logged with its stack, counted, and answered with a bare 500.
 */
const handshakeErrors = ({ logger, metrics }: HandshakeErrorsOptions): MiddlewareObj => {
  const logHandshakeError = (error: unknown) => {
    const statusCode = (error as { statusCode?: number } | null)?.statusCode;
    if (statusCode !== undefined && statusCode < 500) {
      logger.info('Handshake refused', { statusCode, reason: (error as Error).message });
      metrics.addMetric(MetricName.ConnectionRefused, 'Count', 1);
      return;
    }
    logger.error('Unhandled error in connection handler', error as Error);
    metrics.addMetric(MetricName.HandlerError, 'Count', 1);
  };
  return httpErrorHandler({ logger: logHandshakeError, fallbackMessage: 'Internal server error' }) as MiddlewareObj;
};

export { handshakeErrors };
