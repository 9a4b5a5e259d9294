/**
 * The route chains from the composition root on adapters a test chooses (a DynamoDB client with
 * injected faults, a pinned clock, a faulty @connections pool), so faults and time can be controlled
 * without touching the handlers' module-scope wiring.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { lambdaContext, newConnectionId, wsEvent } from '#testkit/events.ts';
import { dynamoRoutes } from '#testkit/routes.ts';
import type { SenderPool } from '../../../src/delivery/management-api-sender.ts';
import type { Clock } from '../../../src/domain/clock.ts';
import type { ConnectionPolicy, RateLimitPolicy } from '../../../src/domain/policies.ts';
import { EchoResponder } from '../../../src/domain/responder.ts';

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

const buildRoutes = (options: RouteOptions) => {
  const { adapters, routes: chains } = dynamoRoutes({
    client: options.client,
    tables: options.tables,
    managementEndpoint: options.managementEndpoint,
    responder: new EchoResponder(),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.senders ? { senders: options.senders } : {}),
    policies: {
      rateLimit: options.rateLimit ?? { burst: 10, perSecond: 1 },
      connection: options.connectionPolicy ?? { idleTimeoutSeconds: 600, maxConnectionsPerUser: 5, connectRate: { burst: 10, perSecond: 1 } },
      // Refusals are not what these suites count: a connection is never closed for them here.
      refusal: { maxRefusals: 100_000, windowSeconds: 60 },
    },
  });

  const connect = async (userId: string, connectionId = newConnectionId()) => ({
    connectionId,
    response: await chains.connect(wsEvent({ connectionId, userId, routeKey: '$connect' }), lambdaContext('test-websocket-connect')),
  });
  const send = (route: 'message' | 'ping', connectionId: string, userId: string, frame: unknown) =>
    chains[route](wsEvent({ connectionId, userId, body: frame, routeKey: route === 'message' ? 'chat_message' : 'ping' }), lambdaContext(`test-websocket-${route}`));

  return { connections: adapters.connections, messages: adapters.messages, chains, connect, send };
};

export { buildRoutes };
