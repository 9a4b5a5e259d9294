import { ApiGatewayManagementApiClient, DeleteConnectionCommand, GoneException, PayloadTooLargeException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import type { DeliveryOutcome, Sender } from '../domain/sender.ts';
import { MetricName } from '../observability/metric-names.ts';
import { logger, metrics, tracer } from '../observability/powertools.ts';
import { instrumentClient } from '../observability/sdk-call-observer.ts';
import type { ServerFrame } from '../protocol/frames.ts';

/** Bounds a post to a dead endpoint; the SDK's default HTTP handler waits forever. */
const REQUEST_TIMEOUT_MS = 3_000;

/**
 * The real management API client. Throttling (`LimitExceededException`, 429) and 5xx are retried by
 * the SDK's standard retry strategy, with exponential backoff and full jitter.
 */
const createManagementApiClient = (
  endpoint: string,
  { requestTimeoutMs = REQUEST_TIMEOUT_MS, maxAttempts = 4 }: { requestTimeoutMs?: number; maxAttempts?: number } = {},
): ApiGatewayManagementApiClient =>
  instrumentClient(
    tracer.captureAWSv3Client(
      new ApiGatewayManagementApiClient({
        endpoint,
        maxAttempts,
        retryMode: 'standard',
        // Without throwOnRequestTimeout, current Smithy handlers only log a warning when the timeout passes.
        requestHandler: { connectionTimeout: 1_000, requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true },
      }),
    ),
    'execute-api',
  );

const isGone = (error: unknown): boolean => error instanceof GoneException || (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode === 410;

const isTooLarge = (error: unknown): boolean =>
  error instanceof PayloadTooLargeException || (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode === 413;

const encoder = new TextEncoder();

class ManagementApiSender implements Sender {
  private readonly client: ApiGatewayManagementApiClient;

  public constructor(client: ApiGatewayManagementApiClient) {
    this.client = client;
  }

  public async post(connectionId: string, frame: ServerFrame): Promise<DeliveryOutcome> {
    const data = encoder.encode(JSON.stringify(frame));
    try {
      await this.client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
      metrics.addMetric(MetricName.MessageDelivered, 'Count', 1);
      return 'delivered';
    } catch (error) {
      const outcome = this.failure('post', connectionId, error, { frameType: frame.type, bytes: data.length });
      return outcome === 'failed' && isTooLarge(error) ? 'too-large' : outcome;
    }
  }

  public async close(connectionId: string): Promise<DeliveryOutcome> {
    try {
      await this.client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
      return 'delivered';
    } catch (error) {
      return this.failure('close', connectionId, error);
    }
  }

  private failure(operation: string, connectionId: string, error: unknown, frame?: { frameType: string; bytes: number }): DeliveryOutcome {
    if (isGone(error)) return 'gone';
    metrics.addMetric(MetricName.DeliveryFailed, 'Count', 1);
    logger.warn('Delivery to connection failed', {
      operation,
      targetConnectionId: connectionId,
      ...frame,
      error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
      attempts: (error as { $metadata?: { attempts?: number } }).$metadata?.attempts,
    });
    return 'failed';
  }
}

/**
 * One sender per management endpoint, created on first use and reused for the sandbox's life. The
 * endpoint is WS_MANAGEMENT_ENDPOINT when configured, else derived from the event (domain + stage).
 */
class SenderPool {
  private readonly configuredEndpoint: string | undefined;
  private readonly senders = new Map<string, Sender>();
  private readonly createSender: (endpoint: string) => Sender;

  public constructor(
    configuredEndpoint: string | undefined,
    createSender: (endpoint: string) => Sender = (endpoint) => new ManagementApiSender(createManagementApiClient(endpoint)),
  ) {
    this.configuredEndpoint = configuredEndpoint;
    this.createSender = createSender;
  }

  public forRequest(requestContext: { domainName?: string; stage?: string }): Sender {
    const endpoint = this.configuredEndpoint ?? `https://${requestContext.domainName}/${requestContext.stage}`;
    let sender = this.senders.get(endpoint);
    if (!sender) {
      sender = this.createSender(endpoint);
      this.senders.set(endpoint, sender);
    }
    return sender;
  }
}

export { createManagementApiClient, isGone, ManagementApiSender, SenderPool };
