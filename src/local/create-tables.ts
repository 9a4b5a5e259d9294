import { CreateTableCommand, type DynamoDBClient, ResourceInUseException, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { TABLE_DEFINITIONS, tableName, toCreateTableInput } from '../data/table-definitions.ts';

interface LocalTableNames {
  connections: string;
  messages: string;
}

/**
 * Creates both tables for an environment from the shared definitions (the ones Terraform deploys).
 * Safe to call when they already exist (a persistent local database).
 */
const createTables = async (client: DynamoDBClient, environment: string): Promise<LocalTableNames> => {
  const names = {
    connections: tableName(environment, TABLE_DEFINITIONS.connections),
    messages: tableName(environment, TABLE_DEFINITIONS.messages),
  };
  for (const [key, definition] of Object.entries(TABLE_DEFINITIONS)) {
    const name = names[key as keyof LocalTableNames];
    try {
      await client.send(new CreateTableCommand(toCreateTableInput(definition, name)));
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: name,
          TimeToLiveSpecification: { AttributeName: definition.ttlAttribute, Enabled: true },
        }),
      );
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
  return names;
};

export type { LocalTableNames };
export { createTables };
