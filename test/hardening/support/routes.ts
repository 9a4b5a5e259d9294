/**
 * The route chains exactly as the handlers compose them, built on adapters a test chooses (a DynamoDB
 * client with injected faults, a pinned clock), so faults and time can be controlled without touching
 * the handlers' module-scope wiring.
 */
import type { ConnectionPolicy, RateLimitPolicy } from '../../../src/domain/policies.ts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoConnectionStore } from '../../../src/data/dynamo-connection-store.ts';
import { DynamoMessageStore } from '../../../src/data/dynamo-message-store.ts';
import { SenderPool } from '../../../src/delivery/management-api-sender.ts';
import { type Clock, systemClock } from '../../../src/domain/clock.ts';
import { EchoResponder } from '../../../src/domain/responder.ts';
import { composeConnectRoute, composeMessageRoute } from '../../../src/middleware/compose.ts';
import { logger, metrics, tracer } from '../../../src/observability/powertools.ts';
import { instrumentClient } from '../../../src/observability/sdk-call-observer.ts';
import { createConnectRoute } from '../../../src/routes/connect-route.ts';
import { createMessageRoute } from '../../../src/routes/message-route.ts';
import { createPingRoute } from '../../../src/routes/ping-route.ts';
import validateChatMessage from '../../../src/schemas/compiled/chat-message.js';
import validatePing from '../../../src/schemas/compiled/ping.js';
import { recordedAs } from '#testkit/sdk-calls/call-recorder.ts';
import { lambdaContext, newConnectionId, wsEvent } from '#testkit/events.ts';

interface RouteOptions {
  client: DynamoDBDocumentClient;
  tables: { connections: string; messages: string };
  /** The @connections endpoint (a loopback fake). */
  managementEndpoint: string;
  clock?: Clock;
  rateLimit?: RateLimitPolicy;
  connectionPolicy?: ConnectionPolicy;
  /** @default a SenderPool with the real @connections client on `managementEndpoint` */
  senders?: SenderPool;
}

const tools = { logger, metrics, tracer };

const buildRoutes = (options: RouteOptions) => {
  const clock = options.clock ?? systemClock;
  const rateLimitPolicy = options.rateLimit ?? { burst: 10, perSecond: 1 };
  const policy = options.connectionPolicy ?? { idleTimeoutSeconds: 600, maxConnectionsPerUser: 5, connectRate: { burst: 10, perSecond: 1 } };
  // The client may be a test's own (a flood pool, injected faults): its calls are the functions' too.
  const client = instrumentClient(options.client, 'dynamodb');
  const connections = new DynamoConnectionStore(client, options.tables.connections, policy.idleTimeoutSeconds);
  const messages = new DynamoMessageStore(client, options.tables.messages, 30);
  const senders = options.senders ?? new SenderPool(options.managementEndpoint);
  const base = { tools, clock, senders, connections, rateLimitPolicy };
  // Each chain's AWS calls are recorded under its function's name (test/iam-observed).
  const chains = {
    connect: recordedAs(
      'connect',
      composeConnectRoute(createConnectRoute({ connections, clock, idleTimeoutSeconds: policy.idleTimeoutSeconds }), {
        tools,
        clock,
        connections,
        policy,
      }),
    ),
    message: recordedAs(
      'message',
      composeMessageRoute(createMessageRoute({ connections, messages, responder: new EchoResponder(), clock, metrics }), {
        ...base,
        frameValidator: validateChatMessage,
      }),
    ),
    ping: recordedAs('ping', composeMessageRoute(createPingRoute({ clock }), { ...base, frameValidator: validatePing })),
  };

  const connect = async (userId: string, connectionId = newConnectionId()) => ({
    connectionId,
    response: await chains.connect(wsEvent({ connectionId, userId, routeKey: '$connect' }) as never, lambdaContext('test-websocket-connect')),
  });
  const send = (route: 'message' | 'ping', connectionId: string, userId: string, frame: unknown) =>
    chains[route](
      wsEvent({ connectionId, userId, body: frame, routeKey: route === 'message' ? 'chat_message' : 'ping' }),
      lambdaContext(`test-websocket-${route}`),
    );

  return { connections, messages, chains, connect, send };
};

export { buildRoutes };
