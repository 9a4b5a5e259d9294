import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { wsEvent } from '#testkit/events.ts';
import type { FakeManagementApi } from '#testkit/fake-management-api.ts';
import { DynamoConnectionStore } from '../../src/data/dynamo-connection-store.ts';
import { DynamoReplyStore } from '../../src/data/dynamo-reply-store.ts';
import { DynamoTokenBudget } from '../../src/data/dynamo-token-budget.ts';
import { createManagementApiClient, ManagementApiSender, SenderPool } from '../../src/delivery/management-api-sender.ts';
import type { Responder } from '../../src/domain/responder.ts';
import { createTables } from '../../src/local/create-tables.ts';
import { logger, metrics, tracer } from '../../src/observability/powertools.ts';
import { buildCancel } from '../../src/runtime/route-builders.ts';
import { DynamoCallLog } from './dynamo-call-log.ts';
import { benchLambdaContext } from './lambda-context.ts';
import { benchMessageChain } from './message-chain.ts';
import { PostTimer } from './post-timer.ts';

interface ChatRigOptions {
  /** Names the tables and connections (unique per rig). */
  label: string;
  userId: string;
  connections: number;
  responder: Responder;
  waitForReply: boolean;
  /** Adds the daily token budget (reserved by message, settled by respond), as a Bedrock deployment has. */
  withBudget?: boolean;
}

/** Long enough for any bench answer: respond stops at its deadline otherwise. */
const respondContext = (): Context => ({ ...benchLambdaContext, functionName: 'bench-respond', getRemainingTimeInMillis: () => 600_000 });

/**
 * One user with N live connections on DynamoDB Local and the loopback @connections API, the real
 * message chain (respond run in process for each hand-off) and the real cancel chain, every DynamoDB
 * call logged under the function that made it and every post timed. The clock moves 5 s before each
 * message (people type seconds apart), so the bench's pace never meets the per-user rate limit.
 */
const startChatRig = async (management: FakeManagementApi, options: ChatRigOptions) => {
  const raw = new DynamoDBClient({});
  const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const names = await createTables(raw, `${options.label}${Date.now() % 1_000_000}`);
  const log = new DynamoCallLog(names.connections);
  log.attach(raw);
  const timer = new PostTimer();
  const managementClient = createManagementApiClient(management.endpoint);
  timer.attach(managementClient);
  let offsetMs = 0;
  const clock = { nowMs: () => Date.now() + offsetMs };
  const connections = new DynamoConnectionStore(client, names.connections, 600);
  const ids = Array.from({ length: options.connections }, (_, i) => `${options.label}-${Date.now()}-${i}`);
  for (const connectionId of ids) {
    management.connect(connectionId);
    await connections.register({ connectionId, userId: options.userId, connectedAt: Date.now(), lastSeenAt: Date.now(), expiresAt: Math.floor(Date.now() / 1000) + 36_000 });
  }
  const budget = options.withBudget ? { budget: new DynamoTokenBudget(client, names.connections, { dailyOutputTokens: 1_000_000_000, tokensPerReply: 1024 }) } : {};
  const chain = benchMessageChain({
    client,
    messagesTable: names.messages,
    connections,
    responder: options.responder,
    clock,
    managementEndpoint: management.endpoint,
    managementClient,
    waitForReply: options.waitForReply,
    ...budget,
  });
  chain.invoker.context = respondContext;
  const tools = { logger, metrics, tracer };
  const senders = new SenderPool(management.endpoint, () => new ManagementApiSender(managementClient));
  const cancelChain = buildCancel(
    { tools, clock, connections, senders, replies: new DynamoReplyStore(client, names.messages, 30) },
    { rateLimit: { burst: 1000, perSecond: 1000 }, refusal: { maxRefusals: 20, windowSeconds: 60 } },
  );
  const frameEvent = (routeKey: string, body: unknown) => wsEvent({ connectionId: ids[0] as string, userId: options.userId, body, routeKey, tokenExpiresAt: 4e9 });
  return {
    ids,
    log,
    timer,
    invoker: chain.invoker,
    /** The message function's invocation for one question; resolves when it returns. */
    send: async (sessionId: string, message: string): Promise<void> => {
      offsetMs += 5_000;
      await log.runAs('message', () => chain(frameEvent('chat_message', { action: 'chat_message', data: { message, sessionId } }), benchLambdaContext));
    },
    /** The cancel function's invocation for one reply. */
    cancel: async (sessionId: string, messageId: string): Promise<void> => {
      await log.runAs('cancel', () => cancelChain(frameEvent('cancel', { action: 'cancel', data: { sessionId, messageId } }), benchLambdaContext));
    },
    destroy: () => {
      raw.destroy();
      managementClient.destroy();
    },
  };
};

type ChatRig = Awaited<ReturnType<typeof startChatRig>>;

export type { ChatRig };
export { startChatRig };
