import type { DynamoDbLocal } from '../src/local/dynamodb-local.ts';

export default async function globalTeardown(): Promise<void> {
  const db = (globalThis as { __dynamoDbLocal__?: DynamoDbLocal }).__dynamoDbLocal__;
  await db?.stop();
}
