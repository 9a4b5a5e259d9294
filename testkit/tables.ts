import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createTables, type LocalTableNames } from '../src/local/create-tables.ts';

/** A fresh environment name, so each test file has its own tables in the run's DynamoDB Local. */
const uniqueEnvironment = (label: string): string => `t${label}${randomUUID().slice(0, 8)}`;

/** Creates both tables and points the handlers' environment variables at them. */
const useTestTables = async (label: string): Promise<LocalTableNames & { environment: string }> => {
  const environment = uniqueEnvironment(label);
  const client = new DynamoDBClient({});
  const names = await createTables(client, environment);
  client.destroy();
  process.env.ENVIRONMENT = environment;
  process.env.CONNECTIONS_TABLE = names.connections;
  process.env.MESSAGES_TABLE = names.messages;
  return { ...names, environment };
};

const testDocumentClient = (): DynamoDBDocumentClient => DynamoDBDocumentClient.from(new DynamoDBClient({}));

/**
 * Moves a connection's registration `ms` into the past: a 410 removes only connections registered
 * more than 30 s ago (a younger one may still be inside $connect).
 */
const registeredAgo = (db: DynamoDBDocumentClient, tableName: string, connectionId: string, ms: number) =>
  db.send(
    new UpdateCommand({
      TableName: tableName,
      Key: { connectionId },
      UpdateExpression: 'SET connectedAt = :at',
      ExpressionAttributeValues: { ':at': Date.now() - ms },
    }),
  );

export { registeredAgo, testDocumentClient, uniqueEnvironment, useTestTables };
