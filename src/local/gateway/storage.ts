import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { clearTable } from '../clear-table.ts';
import { createTables, type LocalTableNames } from '../create-tables.ts';
import { type DynamoDbLocal, startDynamoDbLocal } from '../dynamodb-local.ts';

interface StorageOptions {
  /**
   * An existing DynamoDB (Local) to use. Passing the key with `undefined` makes the gateway start its
   * own DynamoDB Local (stopped by stop()). @default process.env.AWS_ENDPOINT_URL_DYNAMODB
   */
  dynamoDbEndpoint?: string | undefined;
  /** With the gateway's own DynamoDB Local: keep its data in this folder. @default in memory */
  dynamoDbDataDir?: string;
}

/** Region and credentials, as the Lambda runtime gives them to the functions; DynamoDB Local keys its data by them. */
interface AwsIdentity {
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** The tables the functions use, in a DynamoDB the gateway may own. */
interface GatewayStorage {
  endpoint: string;
  /** The gateway's own DynamoDB Local's process, when it started one. */
  pid: number | undefined;
  tables: LocalTableNames;
  /** Connection rows a previous run left in the gateway's own DynamoDB Local (its data dir), deleted at start. */
  staleConnectionRowsCleared: number;
  /** Stops the gateway's own DynamoDB Local; an external one is left running. */
  stop(): Promise<void>;
}

const dynamoDbFor = async (options: StorageOptions): Promise<{ endpoint: string; own: DynamoDbLocal | undefined }> => {
  const configured = 'dynamoDbEndpoint' in options ? options.dynamoDbEndpoint : process.env.AWS_ENDPOINT_URL_DYNAMODB;
  if (configured) return { endpoint: configured, own: undefined };
  const own = await startDynamoDbLocal(options.dynamoDbDataDir ? { dbPath: options.dynamoDbDataDir } : {});
  return { endpoint: own.endpoint, own };
};

const prepareTables = async (client: DynamoDBClient, environment: string, ownsDatabase: boolean) => {
  const tables = await createTables(client, environment);
  // A gateway starts with no connection, so every row in its own DynamoDB Local is a leftover of a
  // run that died without $disconnect (a reused data dir): counted against the per-user cap, it
  // would refuse the user with 429. Per-user items in that table belong to those connections too.
  const staleConnectionRowsCleared = ownsDatabase ? await clearTable(client, tables.connections) : 0;
  return { tables, staleConnectionRowsCleared };
};

/** DynamoDB (the configured one, or a DynamoDB Local of the gateway's own) with the environment's tables created. */
const prepareStorage = async (options: StorageOptions, environment: string, identity: AwsIdentity): Promise<GatewayStorage> => {
  const { endpoint, own } = await dynamoDbFor(options);
  try {
    const { region, accessKeyId, secretAccessKey } = identity;
    const client = new DynamoDBClient({ endpoint, region, credentials: { accessKeyId, secretAccessKey } });
    try {
      const prepared = await prepareTables(client, environment, own !== undefined);
      return { endpoint, pid: own?.pid, ...prepared, stop: async () => await own?.stop() };
    } finally {
      client.destroy();
    }
  } catch (error) {
    await own?.stop();
    throw error;
  }
};

export type { AwsIdentity, GatewayStorage, StorageOptions };
export { prepareStorage };
