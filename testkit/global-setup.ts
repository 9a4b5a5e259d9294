import { startDynamoDbLocal } from '../src/local/dynamodb-local.ts';
import { startRecordingSdkCalls } from './sdk-calls/start-recording.ts';

/** One DynamoDB Local for the whole run; each test file creates its own tables under a unique env name. */
export default async function globalSetup(): Promise<void> {
  const db = await startDynamoDbLocal();
  (globalThis as { __dynamoDbLocal__?: unknown }).__dynamoDbLocal__ = db;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = db.endpoint;
  process.env.TEST_DYNAMODB_PID = String(db.pid);
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
  // The AWS calls each function makes, for the observed-calls IAM test (test/iam-observed).
  startRecordingSdkCalls();
}
