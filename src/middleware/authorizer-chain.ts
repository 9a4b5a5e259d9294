import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { AuthorizerResult } from '../auth/policy.ts';
import { authorizerErrors } from './authorizer-errors.ts';
import { type ObservabilityTools, observability } from './observability.ts';
import type { WebSocketAuthorizerEvent } from './route-types.ts';

/** The authorizer's chain: observability, then every failure refused as `Unauthorized` (401). It adds nothing to the context. */
const authorizerChain = (tools: ObservabilityTools) => middy<WebSocketAuthorizerEvent, AuthorizerResult, Error, Context>().use(observability(tools)).use(authorizerErrors(tools));

export { authorizerChain };
