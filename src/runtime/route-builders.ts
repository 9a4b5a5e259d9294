import type { SenderPool } from '../delivery/management-api-sender.ts';
import type { Clock } from '../domain/clock.ts';
import type { ConnectionStore } from '../domain/connection-store.ts';
import type { MessageStore } from '../domain/message-store.ts';
import type { ConnectionPolicy, RateLimitPolicy, RefusalPolicy } from '../domain/policies.ts';
import type { ReplyInvoker } from '../domain/reply-job.ts';
import type { ReplyStore } from '../domain/reply-store.ts';
import type { TokenBudget } from '../domain/token-budget.ts';
import { authContext } from '../middleware/auth-context.ts';
import { connectionCap } from '../middleware/connection-cap.ts';
import { deliveries } from '../middleware/deliveries.ts';
import { errorFrames } from '../middleware/error-frames.ts';
import { handshakeErrors } from '../middleware/handshake-errors.ts';
import { type ObservabilityTools, observability } from '../middleware/observability.ts';
import { parseFrame } from '../middleware/parse-frame.ts';
import { rateLimit } from '../middleware/rate-limit.ts';
import { refusalLimit } from '../middleware/refusal-limit.ts';
import { RouteChain } from '../middleware/route-chain.ts';
import { staleConnections } from '../middleware/stale-connections.ts';
import { validateFrame } from '../middleware/validate-frame.ts';
import { createCancelRoute } from '../routes/cancel-route.ts';
import { createConnectRoute } from '../routes/connect-route.ts';
import { createDefaultRoute } from '../routes/default-route.ts';
import { createDisconnectRoute } from '../routes/disconnect-route.ts';
import { createHistoryRoute } from '../routes/history-route.ts';
import { createMessageRoute } from '../routes/message-route.ts';
import { createPingRoute } from '../routes/ping-route.ts';
import validateCancel from '../schemas/compiled/cancel.js';
import validateChatMessage from '../schemas/compiled/chat-message.js';
import validateHistory from '../schemas/compiled/history.js';
import validatePing from '../schemas/compiled/ping.js';

/**
 * The composition root: how every function's Middy chain is built, in one place. Each builder takes
 * only the adapters and policies its function uses, so a function's bundle holds only its own route
 * and its handler fails at init only for its own configuration. `src/handlers/<name>.ts` passes
 * adapters built from the environment; tests, scripts and benchmarks pass in-memory, faulty or
 * DynamoDB Local ones (`createRoutes` builds them all from one set).
 */
interface RouteAdapters {
  tools: ObservabilityTools;
  clock: Clock;
  connections: ConnectionStore;
  messages: MessageStore;
  senders: SenderPool;
  /** The reply items' lifecycle (hand-off, streaming, cancel). */
  replies: ReplyStore;
  /** Hands a reply to the respond function. */
  invoker: ReplyInvoker;
  /** The daily output-token budget a model's replies are reserved from; none for the echo responders. */
  budget?: TokenBudget;
}

interface RoutePolicies {
  connection: ConnectionPolicy;
  rateLimit: RateLimitPolicy;
  refusal: RefusalPolicy;
  /** How long a session's turn is held for one answer (the respond function's timeout and a minute). */
  turnHoldMs: number;
}

type FrameRouteAdapters = Pick<RouteAdapters, 'tools' | 'clock' | 'connections' | 'senders'>;

/**
 * What every frame route runs first, outermost first: observability; this request's Delivery; stale
 * connection cleanup and the refusal limit (outside the error frames, so a 410 on the error frame is
 * cleaned up and a connection is closed after its last error frame); error frames; who the user is;
 * the parsed frame.
 */
const frameChain = ({ tools, clock, connections, senders }: FrameRouteAdapters, refusal: RefusalPolicy) =>
  RouteChain.start()
    .useAll(observability(tools))
    .use(deliveries(senders))
    .use(staleConnections({ connections, clock, logger: tools.logger, metrics: tools.metrics }))
    .use(refusalLimit({ connections, policy: refusal, clock, logger: tools.logger, metrics: tools.metrics }))
    .use(errorFrames({ logger: tools.logger, metrics: tools.metrics }))
    .use(authContext({ clock, metrics: tools.metrics }))
    .use(parseFrame());

/** The frame's own rate limit comes after validation, so an invalid frame takes no token. */
const limited = (adapters: FrameRouteAdapters, policy: RateLimitPolicy) =>
  rateLimit({ connections: adapters.connections, policy, clock: adapters.clock, metrics: adapters.tools.metrics });

const buildMessage = (
  adapters: FrameRouteAdapters & Pick<RouteAdapters, 'messages' | 'replies' | 'invoker' | 'budget'>,
  policies: Pick<RoutePolicies, 'rateLimit' | 'refusal' | 'turnHoldMs'>,
) =>
  frameChain(adapters, policies.refusal)
    .use(validateFrame(validateChatMessage))
    .use(limited(adapters, policies.rateLimit))
    .handle(
      createMessageRoute({
        connections: adapters.connections,
        messages: adapters.messages,
        replies: adapters.replies,
        invoker: adapters.invoker,
        ...(adapters.budget ? { budget: adapters.budget } : {}),
        clock: adapters.clock,
        turnHoldMs: policies.turnHoldMs,
        metrics: adapters.tools.metrics,
        logger: adapters.tools.logger,
      }),
    );

const buildPing = (adapters: FrameRouteAdapters, policies: Pick<RoutePolicies, 'rateLimit' | 'refusal'>) =>
  frameChain(adapters, policies.refusal)
    .use(validateFrame(validatePing))
    .use(limited(adapters, policies.rateLimit))
    .handle(createPingRoute({ clock: adapters.clock }));

const buildHistory = (adapters: FrameRouteAdapters & Pick<RouteAdapters, 'messages'>, policies: Pick<RoutePolicies, 'rateLimit' | 'refusal'>) =>
  frameChain(adapters, policies.refusal)
    .use(validateFrame(validateHistory))
    .use(limited(adapters, policies.rateLimit))
    .handle(createHistoryRoute({ messages: adapters.messages, clock: adapters.clock }));

/** cancel: the frame's own rate limit, like any frame a client sends. */
const buildCancel = (adapters: FrameRouteAdapters & Pick<RouteAdapters, 'replies'>, policies: Pick<RoutePolicies, 'rateLimit' | 'refusal'>) =>
  frameChain(adapters, policies.refusal)
    .use(validateFrame(validateCancel))
    .use(limited(adapters, policies.rateLimit))
    .handle(createCancelRoute({ replies: adapters.replies }));

/** No validator and no rate limit: a frame the API does not route takes no token; it counts as a refusal. */
const buildDefault = (adapters: FrameRouteAdapters, policies: Pick<RoutePolicies, 'refusal'>) => frameChain(adapters, policies.refusal).handle(createDefaultRoute());

/** $connect: observability, refusals as the handshake's status, who the user is, the per-user connect rate and cap. */
const buildConnect = ({ tools, clock, connections }: Pick<RouteAdapters, 'tools' | 'clock' | 'connections'>, policies: Pick<RoutePolicies, 'connection'>) =>
  RouteChain.start()
    .useAll(observability(tools))
    .use(handshakeErrors(tools))
    .use(authContext({ clock, metrics: tools.metrics, enforceExpiry: false }))
    .use(connectionCap({ connections, policy: policies.connection, clock, metrics: tools.metrics }))
    .handle(createConnectRoute({ connections, clock, idleTimeoutSeconds: policies.connection.idleTimeoutSeconds }));

/** $disconnect: observability and error logging; the user may be gone, so no auth is required. */
const buildDisconnect = ({ tools, clock, connections }: Pick<RouteAdapters, 'tools' | 'clock' | 'connections'>) =>
  RouteChain.start()
    .useAll(observability(tools))
    .use(handshakeErrors(tools))
    .handle(createDisconnectRoute({ connections, clock, logger: tools.logger, metrics: tools.metrics }));

export type { RouteAdapters, RoutePolicies };
export { buildCancel, buildConnect, buildDefault, buildDisconnect, buildHistory, buildMessage, buildPing };
