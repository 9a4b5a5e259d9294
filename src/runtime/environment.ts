import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createLambdaClient, LambdaReplyInvoker } from '../adapters/lambda/lambda-reply-invoker.ts';
import {
  loadConnectionPolicy,
  loadConnectionsTable,
  loadManagementEndpoint,
  loadMessageRetentionDays,
  loadMessagesTable,
  loadRateLimitPolicy,
  loadRefusalPolicy,
} from '../config/app-config.ts';
import type { EnvironmentSource } from '../config/env.ts';
import { loadReplyPacing, loadRespondFunctionName, loadTurnHoldMs } from '../config/respond-config.ts';
import { loadChunkBatching } from '../config/streaming-config.ts';
import { createDocumentClient } from '../data/dynamo-client.ts';
import { DynamoConnectionStore } from '../data/dynamo-connection-store.ts';
import { DynamoMessageStore } from '../data/dynamo-message-store.ts';
import { DynamoReplyStore } from '../data/dynamo-reply-store.ts';
import { SenderPool } from '../delivery/management-api-sender.ts';
import { systemClock } from '../domain/clock.ts';
import { logger, metrics, tracer } from '../observability/powertools.ts';
import type { RespondPolicies } from './respond-builder.ts';
import { budgetFor, responderFor } from './responders.ts';
import type { RoutePolicies } from './route-builders.ts';

/**
 * The adapters and policies a deployed function uses, built from its environment at cold start
 * (module scope of its handler). Each reads only the variables it needs, so a function fails at init
 * when one of its own variables is missing or malformed, and never for another function's.
 */
const tools = { logger, metrics, tracer };

// One DynamoDB client per sandbox, shared by both stores: one connection pool, one traced client.
let documentClient: DynamoDBDocumentClient | undefined;
const sharedDocumentClient = (): DynamoDBDocumentClient => (documentClient ??= createDocumentClient());

const environmentConnections = () => new DynamoConnectionStore(sharedDocumentClient(), loadConnectionsTable(), loadConnectionPolicy().idleTimeoutSeconds);

const environmentReplies = () => new DynamoReplyStore(sharedDocumentClient(), loadMessagesTable(), loadMessageRetentionDays());

const environmentMessages = () => new DynamoMessageStore(sharedDocumentClient(), loadMessagesTable(), loadMessageRetentionDays());

/** The daily token budget of the responder `RESPONDER` names (none for echo). */
const environmentBudget = () => budgetFor({ client: sharedDocumentClient(), connectionsTable: loadConnectionsTable() });

/** The responder `RESPONDER` names; the history it reads is the messages table. */
const environmentResponder = (messages: DynamoMessageStore) => responderFor(messages);

/** The message function's hand-off to the respond function (`RESPOND_FUNCTION_NAME`). */
const environmentInvoker = () => new LambdaReplyInvoker(createLambdaClient(), loadRespondFunctionName());

/** What every frame route needs: the connections table and the management API. */
const frameRouteAdapters = () => ({ tools, clock: systemClock, connections: environmentConnections(), senders: new SenderPool(loadManagementEndpoint()) });

/** The frame routes' policies. */
const framePolicies = (source: EnvironmentSource = process.env) => ({ rateLimit: loadRateLimitPolicy(source), refusal: loadRefusalPolicy(source) });

/** Every route's policies, as the deployed functions read them (tests pass settings of the same names). */
const routePolicies = (source: EnvironmentSource = process.env): RoutePolicies => ({
  ...framePolicies(source),
  connection: loadConnectionPolicy(source),
  turnHoldMs: loadTurnHoldMs(source),
});

/** The respond function's policies: how a reply is persisted, checked for a cancel, and batched into chunks. */
const respondPolicies = (source: EnvironmentSource = process.env): RespondPolicies => ({ pacing: loadReplyPacing(source), chunkBatching: loadChunkBatching(source) });

export {
  environmentBudget,
  environmentConnections,
  environmentInvoker,
  environmentMessages,
  environmentReplies,
  environmentResponder,
  framePolicies,
  frameRouteAdapters,
  respondPolicies,
  routePolicies,
  systemClock as clock,
  tools,
};
