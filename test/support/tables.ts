import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createTables, type LocalTableNames } from '../../src/local/create-tables.ts';

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

export { useTestTables, uniqueEnvironment, testDocumentClient };
