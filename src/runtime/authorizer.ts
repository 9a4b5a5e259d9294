import { type AuthConfig, loadAuthConfig } from '../auth/auth-config.ts';
import { createKeySource, type KeySource } from '../auth/key-source.ts';
import type { EnvironmentSource } from '../config/env.ts';
import { authorizerChain } from '../middleware/authorizer-chain.ts';
import type { ObservabilityTools } from '../middleware/observability.ts';
import { logger, metrics, tracer } from '../observability/powertools.ts';
import { createAuthorizerRoute } from '../routes/authorizer-route.ts';

/**
 * The authorizer's part of the composition root, in a module of its own: it needs none of the
 * routes' adapters (DynamoDB, the management API) or middleware, so its bundle holds none of them.
 */
interface AuthorizerAdapters {
  tools: ObservabilityTools;
  config: AuthConfig;
  keySource: KeySource;
}

/** The authorizer: observability, and every failure refused as `Unauthorized` (401). */
const buildAuthorizer = ({ tools, config, keySource }: AuthorizerAdapters) =>
  authorizerChain(tools).handler(createAuthorizerRoute({ config, keySource, logger: tools.logger, metrics: tools.metrics }));

/** The authorizer's adapters from its environment (tests pass settings of the same names). */
const authorizerAdapters = (source: EnvironmentSource = process.env): AuthorizerAdapters => {
  const config = loadAuthConfig(source);
  return { tools: { logger, metrics, tracer }, config, keySource: createKeySource(config.key) };
};

export type { AuthorizerAdapters };
export { authorizerAdapters, buildAuthorizer };
