import { BedrockRuntimeClient, type BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { tracer } from '../../observability/powertools.ts';
import { instrumentClient } from '../../observability/sdk-call-observer.ts';

interface BedrockClientOptions {
  /** @default the Lambda's AWS_REGION (the SDK's own resolution) */
  region?: string;
  /** The fake Bedrock's URL locally; unset on AWS. */
  endpoint?: string;
  /** Attempts per call, the first included; throttling and 5xx are retried with the SDK's standard backoff. @default 3 */
  maxAttempts?: number;
  /** @default 2000 */
  connectionTimeoutMs?: number;
  /** Dummy credentials for the fake; unset on AWS (the function's role). */
  credentials?: BedrockRuntimeClientConfig['credentials'];
}

/**
 * The Bedrock runtime client for ConverseStream. HTTP/1.1 on purpose: the client's default handler
 * is HTTP/2 (for the bidirectional operations), which a node:http endpoint such as the fake cannot
 * speak, and ConverseStream needs nothing from HTTP/2. No request timeout: a stream legitimately
 * lasts as long as the answer; the responder's watchdog bounds silence and the deadline instead.
 * @example createBedrockClient({ endpoint: fake.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } })
 */
const createBedrockClient = ({ region, endpoint, maxAttempts = 3, connectionTimeoutMs = 2_000, credentials }: BedrockClientOptions = {}): BedrockRuntimeClient =>
  instrumentClient(
    tracer.captureAWSv3Client(
      new BedrockRuntimeClient({
        ...(region === undefined ? {} : { region }),
        ...(endpoint === undefined ? {} : { endpoint }),
        ...(credentials === undefined ? {} : { credentials }),
        maxAttempts,
        retryMode: 'standard',
        requestHandler: new NodeHttpHandler({ connectionTimeout: connectionTimeoutMs }),
      }),
    ),
    'bedrock',
  );

export type { BedrockClientOptions };
export { createBedrockClient };
