import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoMessageStore } from '../../src/data/dynamo-message-store.ts';
import { ManagementApiSender, SenderPool } from '../../src/delivery/management-api-sender.ts';
import { type ChunkBatchingOptions, DEFAULT_CHUNK_BATCHING } from '../../src/domain/chunk-batcher.ts';
import type { Clock } from '../../src/domain/clock.ts';
import type { ConnectionStore } from '../../src/domain/connection-store.ts';
import type { Responder } from '../../src/domain/responder.ts';
import { logger, metrics, tracer } from '../../src/observability/powertools.ts';
import { buildMessage } from '../../src/runtime/route-builders.ts';

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
  return buildMessage(
    {
      tools: { logger, metrics, tracer },
      clock,
      connections,
      messages: new DynamoMessageStore(client, options.messagesTable, 30),
      responder,
      senders: new SenderPool(managementEndpoint, () => new ManagementApiSender(managementClient)),
    },
    {
      rateLimit: { burst: 10, perSecond: 1 },
      refusal: { maxRefusals: 20, windowSeconds: 60 },
      chunkBatching: chunkBatching ?? DEFAULT_CHUNK_BATCHING,
    },
  );
};

export { benchMessageChain };
