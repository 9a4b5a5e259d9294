import { loadAuthConfig } from '../auth/auth-config.ts';
import { createKeySource } from '../auth/key-source.ts';
import { composeAuthorizer } from '../middleware/compose.ts';
import { logger, metrics, tracer } from '../observability/powertools.ts';
import { createAuthorizerRoute } from '../routes/authorizer-route.ts';

const config = loadAuthConfig();
const authorize = createAuthorizerRoute({ config, keySource: createKeySource(config.key), logger, metrics });

export const handler = composeAuthorizer(authorize, { tools: { logger, metrics, tracer } });
