import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ConnectionStore } from '../../src/domain/connection-store.ts';
import { DynamoMessageStore } from '../../src/data/dynamo-message-store.ts';
import { ManagementApiSender, SenderPool } from '../../src/delivery/management-api-sender.ts';
import type { ChunkBatchingOptions } from '../../src/domain/chunk-batcher.ts';
import type { Clock } from '../../src/domain/clock.ts';
import type { Responder } from '../../src/domain/responder.ts';
import { composeMessageRoute } from '../../src/middleware/compose.ts';
import { logger, metrics, tracer } from '../../src/observability/powertools.ts';
import { createMessageRoute } from '../../src/routes/message-route.ts';
import validateChatMessage from '../../src/schemas/compiled/chat-message.js';

interface BenchMessageChainOptions {
  client: DynamoDBDocumentClient;
  messagesTable: string;
  connections: ConnectionStore;
  responder: Responder;
  clock: Clock;
  managementEndpoint: string;
  /** The @connections client every post goes through (a bench may instrument it). */
  managementClient: ApiGatewayManagementApiClient;
  chunkBatching?: ChunkBatchingOptions;
}

/** The real `chat_message` chain on DynamoDB Local and a loopback @connections API, as the benches run it. */
const benchMessageChain = (options: BenchMessageChainOptions) => {
  const { client, connections, responder, clock, managementEndpoint, managementClient, chunkBatching } = options;
  const messages = new DynamoMessageStore(client, options.messagesTable, 30);
  const route = createMessageRoute({ connections, messages, responder, clock, metrics, ...(chunkBatching ? { chunkBatching } : {}) });
  return composeMessageRoute(route, {
    tools: { logger, metrics, tracer },
    clock,
    connections,
    senders: new SenderPool(managementEndpoint, () => new ManagementApiSender(managementClient)),
    frameValidator: validateChatMessage,
    rateLimitPolicy: { burst: 10, perSecond: 1 },
  });
};

export { benchMessageChain };
