import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddlewareObj } from '@middy/core';

interface ObservabilityTools {
  logger: Logger;
  metrics: Metrics;
  tracer: Tracer;
}

interface EventWithRequestContext {
  requestContext?: { connectionId?: string; requestId?: string; routeKey?: string };
}

/** Route events carry a request context; the authorizer's event does too, without a connection. */
const hasRequestContext = (event: unknown): event is EventWithRequestContext => typeof event === 'object' && event !== null && 'requestContext' in event;

/** Puts API Gateway's requestId, the connectionId and the route on every log line of this invocation. */
const requestLogKeys = (logger: Logger): MiddlewareObj => {
  const requestLogKeysBefore = (request: { event: unknown }) => {
    const requestContext = hasRequestContext(request.event) ? request.event.requestContext : undefined;
    logger.appendKeys({
      requestId: requestContext?.requestId,
      connectionId: requestContext?.connectionId,
      routeKey: requestContext?.routeKey,
    });
  };
  return { before: requestLogKeysBefore };
};

/**
 * Tracer, then logger, then metrics, as Powertools recommends. Responses are not captured (chat text
 * stays out of traces), events are never logged (the $connect query string holds the token), and
 * every invocation flushes its metrics, cold start included, whatever the outcome.
 */
const observability = ({ logger, metrics, tracer }: ObservabilityTools): MiddlewareObj[] => [
  captureLambdaHandler(tracer, { captureResponse: false }),
  injectLambdaContext(logger, { logEvent: false, resetKeys: true }),
  logMetrics(metrics, { captureColdStartMetric: true }),
  requestLogKeys(logger),
];

export type { ObservabilityTools };
export { observability };
