import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Clock } from '../domain/clock.ts';
import { ForbiddenError, TokenExpiredError } from '../domain/errors.ts';
import { MetricName } from '../observability/metric-names.ts';
import { extendContext } from './extend-context.ts';
import type { Authenticated, NoContext, RouteMiddleware } from './route-types.ts';

interface AuthContextOptions {
  clock: Clock;
  metrics: Metrics;
  /** Refuse frames that arrive after the token's `exp` (message routes). @default true */
  enforceExpiry?: boolean;
}

/**
 * Reads who the authorizer said the user is from `requestContext.authorizer` and puts it on
 * `context.auth`. No user means refused: a frame can never choose its user. A connection lives no
 * longer than its token.
 */
const authContext = (opts: AuthContextOptions): RouteMiddleware<NoContext, Authenticated> => {
  const { clock, metrics, enforceExpiry } = { enforceExpiry: true, ...opts };
  return {
    adds: ['auth'],
    before: (request) => {
      const authorizer = request.event.requestContext?.authorizer;
      const userId = authorizer?.userId;
      if (typeof userId !== 'string' || userId.length === 0) {
        throw new ForbiddenError('This connection has no authenticated user');
      }
      const expiry = Number(authorizer?.tokenExpiresAt);
      const tokenExpiresAt = Number.isFinite(expiry) ? expiry : undefined;
      if (enforceExpiry && tokenExpiresAt !== undefined && clock.nowMs() >= tokenExpiresAt * 1000) {
        metrics.addMetric(MetricName.TokenExpired, 'Count', 1);
        throw new TokenExpiredError();
      }
      extendContext(request, { auth: { userId, ...(tokenExpiresAt === undefined ? {} : { tokenExpiresAt }) } });
    },
  };
};

export { authContext };
