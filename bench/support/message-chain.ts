import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoMessageStore } from '../../src/data/dynamo-message-store.ts';
import { DynamoReplyStore } from '../../src/data/dynamo-reply-store.ts';
import { ManagementApiSender, SenderPool } from '../../src/delivery/management-api-sender.ts';
import { type ChunkBatchingOptions, DEFAULT_CHUNK_BATCHING } from '../../src/domain/chunk-batcher.ts';
import type { Clock } from '../../src/domain/clock.ts';
import type { ConnectionStore } from '../../src/domain/connection-store.ts';
import { DEFAULT_REPLY_PACING } from '../../src/domain/reply-progress.ts';
import type { Responder } from '../../src/domain/responder.ts';
import type { TokenBudget } from '../../src/domain/token-budget.ts';
import { logger, metrics, tracer } from '../../src/observability/powertools.ts';
import { buildRespond } from '../../src/runtime/respond-builder.ts';
import { buildMessage } from '../../src/runtime/route-builders.ts';
import { InProcessReplyInvoker } from '../../testkit/in-process-invoker.ts';

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
  /** @default true: an invocation returns when its reply has ended */
  waitForReply?: boolean;
  /** The daily token budget both functions use (reserve at the question, settle at the reply's end). @default none */
  budget?: TokenBudget;
}

/**
 * The real `chat_message` chain on DynamoDB Local and a loopback @connections API, as the benches run
 * it, with the respond function's chain run in process for each hand-off. With `waitForReply` (the
 * default) an invocation returns when the reply has ended: a figure for the whole exchange.
 */
const benchMessageChain = (options: BenchMessageChainOptions) => {
  const { client, connections, responder, clock, managementEndpoint, managementClient, chunkBatching } = options;
  const budget = options.budget ? { budget: options.budget } : {};
  const tools = { logger, metrics, tracer };
  const messages = new DynamoMessageStore(client, options.messagesTable, 30);
  const replies = new DynamoReplyStore(client, options.messagesTable, 30);
  const senders = new SenderPool(managementEndpoint, () => new ManagementApiSender(managementClient));
  const respond = buildRespond(
    { tools, clock, connections, messages, replies, senders, responder, ...budget },
    { pacing: DEFAULT_REPLY_PACING, chunkBatching: chunkBatching ?? DEFAULT_CHUNK_BATCHING },
  );
  const invoker = new InProcessReplyInvoker(respond, { wait: options.waitForReply ?? true });
  const chain = buildMessage(
    { tools, clock, connections, messages, replies, invoker, senders, ...budget },
    { rateLimit: { burst: 10, perSecond: 1 }, refusal: { maxRefusals: 20, windowSeconds: 60 }, turnHoldMs: 360_000 },
  );
  return Object.assign(chain, { invoker });
};

export { benchMessageChain };
