import { authorizerAdapters, buildAuthorizer } from '../runtime/authorizer.ts';

export const handler = buildAuthorizer(authorizerAdapters());
