/**
 * Every route's chain from the composition root (src/runtime/create-routes.ts) on DynamoDB Local
 * tables and a loopback @connections API, configured with settings of the names a deployed function
 * reads (RATE_LIMIT_BURST, RESPONDER, ...) without touching process.env. Each chain's AWS calls are
 * recorded under its function's name (test/iam-observed).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { loadMessageRetentionDays } from '../src/config/app-config.ts';
import type { EnvironmentSource } from '../src/config/env.ts';
import type { RouteFunctionName } from '../src/config/function-manifest.ts';
import { createDocumentClient } from '../src/data/dynamo-client.ts';
import { DynamoConnectionStore } from '../src/data/dynamo-connection-store.ts';
import { DynamoMessageStore } from '../src/data/dynamo-message-store.ts';
import { DynamoReplyStore } from '../src/data/dynamo-reply-store.ts';
import { SenderPool } from '../src/delivery/management-api-sender.ts';
import type { Scheduler } from '../src/domain/chunk-batcher.ts';
import { type Clock, systemClock } from '../src/domain/clock.ts';
import type { Responder } from '../src/domain/responder.ts';
import type { TokenBudget } from '../src/domain/token-budget.ts';
import type { RouteResponse, WebSocketEvent } from '../src/middleware/route-types.ts';
import { instrumentClient } from '../src/observability/sdk-call-observer.ts';
import { createRoutes, type RouteAdapters, type RouteEntries, type RoutePolicies } from '../src/runtime/create-routes.ts';
import { respondPolicies, routePolicies, tools } from '../src/runtime/environment.ts';
import { buildRespond } from '../src/runtime/respond-builder.ts';
import { budgetFor, responderFor } from '../src/runtime/responders.ts';
import { InProcessReplyInvoker } from './in-process-invoker.ts';
import { recordedAs } from './sdk-calls/call-recorder.ts';

interface DynamoRoutesOptions {
  tables: { connections: string; messages: string };
  /** The @connections endpoint (a loopback fake). */
  managementEndpoint: string;
  /** Configuration by its environment variable names; unset names take the deployed defaults. */
  settings?: EnvironmentSource;
  /** A test's own DynamoDB client (a flood pool, injected faults). @default a client on DynamoDB Local */
  client?: DynamoDBDocumentClient;
  clock?: Clock;
  /** @default a SenderPool with the real @connections client on `managementEndpoint` */
  senders?: SenderPool;
  /** @default the responder the settings' RESPONDER names (with its budget) */
  responder?: Responder;
  /** With `responder`: the budget its replies are charged to. @default none */
  budget?: TokenBudget;
  /** Replaces parts of the policies the settings give. */
  policies?: Partial<RoutePolicies>;
  /** The respond function runs in this process for each hand-off; with `waitForReplies` (default) `send` returns after the reply. */
  waitForReplies?: boolean;
  /** For tests: the timers of the respond function (chunk batching, persist and cancel ticks). */
  scheduler?: Scheduler;
}

/** A route's chain as a test invokes it. */
type RouteInvoker = (event: WebSocketEvent, context: Context) => Promise<RouteResponse>;

const recorded = (routes: RouteEntries): Record<RouteFunctionName, RouteInvoker> => ({
  connect: recordedAs('connect', routes.connect),
  disconnect: recordedAs('disconnect', routes.disconnect),
  message: recordedAs('message', routes.message),
  ping: recordedAs('ping', routes.ping),
  history: recordedAs('history', routes.history),
  default: recordedAs('default', routes.default),
  cancel: recordedAs('cancel', routes.cancel),
});

const dynamoRoutes = (options: DynamoRoutesOptions) => {
  const settings = options.settings ?? {};
  const policies: RoutePolicies = { ...routePolicies(settings), ...options.policies };
  // A test's own client is instrumented too: its calls are the functions' (the default one already is).
  const client = options.client ? instrumentClient(options.client, 'dynamodb') : createDocumentClient();
  const retentionDays = loadMessageRetentionDays(settings);
  const messages = new DynamoMessageStore(client, options.tables.messages, retentionDays);
  const budget = options.responder ? options.budget : budgetFor({ client, connectionsTable: options.tables.connections }, settings);
  const shared = {
    tools,
    clock: options.clock ?? systemClock,
    connections: new DynamoConnectionStore(client, options.tables.connections, policies.connection.idleTimeoutSeconds),
    messages,
    replies: new DynamoReplyStore(client, options.tables.messages, retentionDays),
    senders: options.senders ?? new SenderPool(options.managementEndpoint),
    ...(budget ? { budget } : {}),
  };
  const respond = buildRespond(
    { ...shared, responder: options.responder ?? responderFor(messages, settings), ...(options.scheduler ? { scheduler: options.scheduler } : {}) },
    respondPolicies(settings),
  );
  const invoker = new InProcessReplyInvoker(respond, { wait: options.waitForReplies ?? true });
  const adapters: RouteAdapters = { ...shared, invoker };
  return { adapters, policies, invoker, routes: recorded(createRoutes(adapters, policies)) };
};

export type { RouteInvoker };
export { dynamoRoutes };
