import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from '../observability/powertools.ts';
import { instrumentClient } from '../observability/sdk-call-observer.ts';

/**
 * The DocumentClient every function shares, created once per sandbox and traced. The endpoint comes
 * from the SDK's own AWS_ENDPOINT_URL_DYNAMODB when set (DynamoDB Local), so there is no local branch.
 * The request timeout bounds a hung connection (the SDK's default has none).
 */
const createDocumentClient = (): DynamoDBDocumentClient => {
  const client = instrumentClient(
    tracer.captureAWSv3Client(
      new DynamoDBClient({
        maxAttempts: 4,
        // Without throwOnRequestTimeout, current Smithy handlers only log a warning when the timeout passes.
        requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true },
      }),
    ),
    'dynamodb',
  );
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
};

export { createDocumentClient };
