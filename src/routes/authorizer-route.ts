import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { AuthConfig } from '../auth/auth-config.ts';
import { clientTextForLog } from '../auth/client-text.ts';
import type { KeySource } from '../auth/key-source.ts';
import { type AuthorizerResult, allowPolicy, denyPolicy, isOriginAllowed } from '../auth/policy.ts';
import { verifyToken } from '../auth/verify-token.ts';
import type { WebSocketAuthorizerEvent } from '../middleware/route-types.ts';
import { MetricName } from '../observability/metric-names.ts';
import { headerValue } from './header-value.ts';

interface AuthorizerRouteDependencies {
  config: AuthConfig;
  keySource: KeySource;
  logger: Logger;
  metrics: Metrics;
}

/** REQUEST authorizer for $connect: a verified JWT from `?token=` allows; a disallowed Origin is denied. */
const createAuthorizerRoute = ({ config, keySource, logger, metrics }: AuthorizerRouteDependencies) =>
  async function authorize(event: WebSocketAuthorizerEvent): Promise<AuthorizerResult> {
    const origin = headerValue(event.headers ?? undefined, 'origin');
    if (!isOriginAllowed(origin, config.allowedOrigins)) {
      logger.info('Connection refused: origin not allowed', { origin: clientTextForLog(origin) });
      metrics.addMetric(MetricName.AuthorizerRefused, 'Count', 1);
      return denyPolicy(event.methodArn);
    }
    const identity = await verifyToken(event.queryStringParameters?.token, keySource, config);
    metrics.addMetric(MetricName.AuthorizerAllowed, 'Count', 1);
    return allowPolicy(event.methodArn, identity.userId, identity.expiresAt);
  };

export { createAuthorizerRoute };
