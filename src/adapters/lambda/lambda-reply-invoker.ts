import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { ReplyInvoker, ReplyJob } from '../../domain/reply-job.ts';
import { tracer } from '../../observability/powertools.ts';
import { instrumentClient } from '../../observability/sdk-call-observer.ts';

/**
 * The Lambda client of the hand-off. Its endpoint is the SDK's own (AWS_ENDPOINT_URL_LAMBDA locally,
 * the local gateway's Invoke API). The request timeout bounds a hung call: an Event invoke answers at once.
 */
const createLambdaClient = (): LambdaClient =>
  instrumentClient(
    tracer.captureAWSv3Client(new LambdaClient({ maxAttempts: 3, requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true } })),
    'lambda',
  );

/** Hands a reply to the respond function with `InvocationType: Event`: Lambda queues it and answers 202. */
class LambdaReplyInvoker implements ReplyInvoker {
  readonly #client: LambdaClient;
  readonly #functionName: string;

  public constructor(client: LambdaClient, functionName: string) {
    this.#client = client;
    this.#functionName = functionName;
  }

  public async handOff(job: ReplyJob): Promise<void> {
    const { StatusCode } = await this.#client.send(
      new InvokeCommand({ FunctionName: this.#functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(job)) }),
    );
    if (StatusCode !== 202) throw new Error(`Lambda did not queue the reply job (status ${StatusCode})`);
  }
}

export { createLambdaClient, LambdaReplyInvoker };
