import middy, { type MiddyfiedHandler } from '@middy/core';
import validator from '@middy/validator';
import type { ConnectionPolicy, RateLimitPolicy, RefusalPolicy } from '../domain/policies.ts';
import type { ConnectionStore } from '../domain/connection-store.ts';
import type { SenderPool } from '../delivery/management-api-sender.ts';
import type { Clock } from '../domain/clock.ts';
import { authContext } from './auth-context.ts';
import { authorizerErrors } from './authorizer-errors.ts';
import { connectionCap } from './connection-cap.ts';
import { errorFrames } from './error-frames.ts';
import { handshakeErrors } from './handshake-errors.ts';
import { type ObservabilityTools, observability } from './observability.ts';
import { parseFrame } from './parse-frame.ts';
import { rateLimit } from './rate-limit.ts';
import { refusalLimit } from './refusal-limit.ts';
import type { RouteContext, RouteResponse, WebSocketEvent } from './route-types.ts';
import { staleConnections } from './stale-connections.ts';

/** A standalone validator compiled at build time (src/schemas/compiled/). */
type CompiledValidator = ((data: unknown) => boolean) & { errors?: unknown };

interface MessageRouteOptions {
  tools: ObservabilityTools;
  clock: Clock;
  senders: SenderPool;
  connections: ConnectionStore;
  /** Absent on $default, which answers any frame. */
  frameValidator?: CompiledValidator;
  /** Absent on $default: it takes no token (its frames are refused anyway, and counted as refusals). */
  rateLimitPolicy?: RateLimitPolicy;
  /** Closes a connection after too many refused frames; absent, refusals are not counted. */
  refusalPolicy?: RefusalPolicy;
}

type RouteHandler<Body> = (event: WebSocketEvent<Body>, context: RouteContext) => Promise<RouteResponse>;

/**
 * Message routes: observability, stale-connection cleanup, the refusal limit, error frames, auth
 * context, body parsing, schema validation, rate limiting, in that order. Cleanup wraps the error
 * frames so a 410 on the error frame itself is cleaned up too; the refusal limit wraps them so a
 * connection is closed after its last error frame; validation precedes rate limiting so a bad frame
 * takes no token.
 */
const composeMessageRoute = <Body>(handler: RouteHandler<Body>, options: MessageRouteOptions) => {
  const { tools, clock, senders, connections, frameValidator, rateLimitPolicy, refusalPolicy } = options;
  const chain = middy(handler as unknown as RouteHandler<unknown>)
    .use(observability(tools))
    .use(staleConnections({ connections, clock, senders, logger: tools.logger, metrics: tools.metrics }));
  if (refusalPolicy) chain.use(refusalLimit({ connections, policy: refusalPolicy, clock, senders, logger: tools.logger, metrics: tools.metrics }));
  chain
    .use(errorFrames({ logger: tools.logger, metrics: tools.metrics, senders }))
    .use(authContext({ clock, metrics: tools.metrics }))
    .use(parseFrame());
  if (frameValidator) chain.use(validator({ eventSchema: frameValidator as never }));
  if (rateLimitPolicy) chain.use(rateLimit({ connections, policy: rateLimitPolicy, clock, metrics: tools.metrics }));
  return chain as unknown as MiddyfiedHandler<WebSocketEvent<string>, RouteResponse>;
};

interface ConnectRouteOptions {
  tools: ObservabilityTools;
  clock: Clock;
  connections: ConnectionStore;
  policy: ConnectionPolicy;
}

/** $connect: observability, HTTP errors as the handshake's status, auth context, per-user connect rate and cap. */
const composeConnectRoute = (handler: RouteHandler<undefined>, options: ConnectRouteOptions) =>
  middy(handler as unknown as RouteHandler<unknown>)
    .use(observability(options.tools))
    .use(handshakeErrors(options.tools))
    .use(authContext({ clock: options.clock, metrics: options.tools.metrics, enforceExpiry: false }))
    .use(connectionCap({ connections: options.connections, policy: options.policy, clock: options.clock, metrics: options.tools.metrics })) as unknown as MiddyfiedHandler<WebSocketEvent<undefined>, RouteResponse>;

/** $disconnect: observability and error logging; the user may be gone, so no auth is required. */
const composeDisconnectRoute = (handler: RouteHandler<undefined>, options: { tools: ObservabilityTools }) =>
  middy(handler as unknown as RouteHandler<unknown>)
    .use(observability(options.tools))
    .use(handshakeErrors(options.tools)) as unknown as MiddyfiedHandler<WebSocketEvent<undefined>, RouteResponse>;

/** The authorizer: observability, and every failure mapped to `Unauthorized` (401). */
const composeAuthorizer = <Event, Result>(handler: (event: Event) => Promise<Result>, options: { tools: ObservabilityTools }) =>
  middy(handler).use(observability(options.tools)).use(authorizerErrors(options.tools)) as unknown as MiddyfiedHandler<Event, Result>;

export type { CompiledValidator, RouteHandler };
export { composeMessageRoute, composeConnectRoute, composeDisconnectRoute, composeAuthorizer };
