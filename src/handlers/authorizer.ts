import { loadAuthConfig } from '../auth/auth-config.ts';
import { createKeySource } from '../auth/key-source.ts';
import { type AuthorizerResult, allowPolicy, denyPolicy, isOriginAllowed } from '../auth/policy.ts';
import { verifyToken } from '../auth/verify-token.ts';
import { composeAuthorizer } from '../middleware/compose.ts';
import { MetricName } from '../observability/metric-names.ts';
import { tools } from '../runtime/route-dependencies.ts';

interface WebSocketAuthorizerEvent {
  type: 'REQUEST';
  methodArn: string;
  headers?: Record<string, string | undefined>;
  queryStringParameters?: Record<string, string | undefined> | null;
}

const config = loadAuthConfig();
const keySource = createKeySource(config.key);

const headerValue = (headers: WebSocketAuthorizerEvent['headers'], name: string): string | undefined =>
  Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1];

/** REQUEST authorizer for $connect: a verified JWT from `?token=` allows; any failure is 401. */
const authorize = async (event: WebSocketAuthorizerEvent): Promise<AuthorizerResult> => {
  if (!isOriginAllowed(headerValue(event.headers, 'origin'), config.allowedOrigins)) {
    tools.logger.info('Connection refused: origin not allowed', { origin: headerValue(event.headers, 'origin') });
    tools.metrics.addMetric(MetricName.AuthorizerRefused, 'Count', 1);
    return denyPolicy(event.methodArn);
  }
  const identity = await verifyToken(event.queryStringParameters?.token, keySource, config);
  tools.metrics.addMetric(MetricName.AuthorizerAllowed, 'Count', 1);
  return allowPolicy(event.methodArn, identity.userId, identity.expiresAt);
};

export const handler = composeAuthorizer(authorize, { tools });
