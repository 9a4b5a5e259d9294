import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj, Request } from '@middy/core';
import { clientTextForLog } from '../auth/client-text.ts';
import { UnauthorizedError } from '../domain/errors.ts';
import { MetricName } from '../observability/metric-names.ts';

interface AuthorizerErrorsOptions {
  logger: Logger;
  metrics: Metrics;
}

/**
 * Any failure while authorizing (a bad token, a jose TypeError, an unreachable JWKS) becomes the
 * error API Gateway maps to 401: `Unauthorized`, never a 500. The reason is logged; the token never is.
 * jose's messages quote the token (a `crit` header name, a claim), so they are cut to a bounded length.
 */
const authorizerErrors = ({ logger, metrics }: AuthorizerErrorsOptions): MiddlewareObj => {
  const authorizerErrorsOnError = (request: Request) => {
    const { error } = request;
    // jose's errors name their reason in `code` (ERR_JWT_EXPIRED); others by their class name.
    const code = error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
    logger.info('Connection refused by authorizer', {
      reason: clientTextForLog(code ?? error?.name ?? 'unknown'),
      detail: clientTextForLog(error?.message),
    });
    metrics.addMetric(MetricName.AuthorizerRefused, 'Count', 1);
    // Replaced, not thrown: the later onError hooks (metrics flush, trace close) still run, then
    // Middy throws request.error.
    request.error = new UnauthorizedError({ cause: error });
  };
  return { onError: authorizerErrorsOnError };
};

export { authorizerErrors };
