import { authorizerAdapters } from '../runtime/environment.ts';
import { buildAuthorizer } from '../runtime/route-builders.ts';

export const handler = buildAuthorizer(authorizerAdapters());
