import { loadConnectionPolicy, loadConnectionsTable, loadManagementEndpoint, loadMessageRetentionDays, loadMessagesTable, loadRateLimitPolicy, loadRefusalPolicy } from '../config/app-config.ts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../data/dynamo-client.ts';
import { DynamoConnectionStore } from '../data/dynamo-connection-store.ts';
import { DynamoMessageStore } from '../data/dynamo-message-store.ts';
import { SenderPool } from '../delivery/management-api-sender.ts';
import { systemClock } from '../domain/clock.ts';
import { logger, metrics, tracer } from '../observability/powertools.ts';

/**
 * The adapters a route function needs, built from the environment at cold start (module scope of the
 * handler). Each builder reads only the variables it needs, so a function fails at init when one of
 * its own variables is missing.
 */
const tools = { logger, metrics, tracer };

// One DynamoDB client per sandbox, shared by both stores: one connection pool, one traced client.
let documentClient: DynamoDBDocumentClient | undefined;
const sharedDocumentClient = (): DynamoDBDocumentClient => (documentClient ??= createDocumentClient());

const buildConnectionStore = (client = sharedDocumentClient()) =>
  new DynamoConnectionStore(client, loadConnectionsTable(), loadConnectionPolicy().idleTimeoutSeconds);

const buildMessageStore = (client = sharedDocumentClient()) =>
  new DynamoMessageStore(client, loadMessagesTable(), loadMessageRetentionDays());

const buildSenderPool = () => new SenderPool(loadManagementEndpoint());

export { tools, systemClock as clock, buildConnectionStore, buildMessageStore, buildSenderPool, loadRateLimitPolicy, loadRefusalPolicy, loadConnectionPolicy };
