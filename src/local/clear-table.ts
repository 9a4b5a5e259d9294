import { setTimeout as sleep } from 'node:timers/promises';
import { type AttributeValue, BatchWriteItemCommand, DescribeTableCommand, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';

/** BatchWriteItem's limit. */
const BATCH_SIZE = 25;

/**
 * Deletes every item of a table, whatever its key schema (read from DescribeTable), and resolves with
 * how many there were. For a local table only: a scan and batch deletes, unprocessed items retried.
 */
const clearTable = async (client: DynamoDBClient, tableName: string): Promise<number> => {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const keyNames = (Table?.KeySchema ?? []).map((key) => key.AttributeName as string);
  const names = Object.fromEntries(keyNames.map((name, index) => [`#k${index}`, name]));
  let deleted = 0;
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName,
        ProjectionExpression: Object.keys(names).join(', '),
        ExpressionAttributeNames: names,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    const keys = page.Items ?? [];
    for (let index = 0; index < keys.length; index += BATCH_SIZE) {
      let requests = keys.slice(index, index + BATCH_SIZE).map((Key) => ({ DeleteRequest: { Key } }));
      for (let attempt = 0; requests.length > 0; attempt += 1) {
        if (attempt > 0) await sleep(Math.min(1_000, 50 * 2 ** attempt));
        const result = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }));
        requests = (result.UnprocessedItems?.[tableName] ?? []).flatMap((request) => (request.DeleteRequest?.Key ? [{ DeleteRequest: { Key: request.DeleteRequest.Key } }] : []));
      }
    }
    deleted += keys.length;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return deleted;
};

export { clearTable };
