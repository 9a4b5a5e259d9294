/**
 * DynamoDB faults injected below the SDK client: a middleware placed right after the deserializer (so
 * inside the SDK's retry loop, where the HTTP handler would be) answers chosen operations with an AWS
 * error response instead of sending them. The SDK parses that response into its real exception, and
 * its own retry strategy runs, so `$metadata.attempts` and the `amz-sdk-request` header are real.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

type DynamoOperation = 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'GetItem' | 'BatchGetItem' | 'Query' | 'TransactWriteItems';

interface Fault {
  status: number;
  /** The AWS error code, e.g. `ProvisionedThroughputExceededException`. */
  errorType: string;
  /** How many requests of the operation fail before it works again. @default Infinity */
  times?: number;
  /** How many requests of the operation pass before the faults begin. @default 0 */
  skip?: number;
}

interface SeenRequest {
  operation: string;
  /** The SDK's `amz-sdk-request` header, e.g. `attempt=2; max=4`. */
  attemptHeader: string;
  faulted: boolean;
}

const THROTTLE = { status: 400, errorType: 'ProvisionedThroughputExceededException' } as const;
const THROTTLING = { status: 400, errorType: 'ThrottlingException' } as const;
const SERVER_ERROR = { status: 500, errorType: 'InternalServerError' } as const;
const UNAVAILABLE = { status: 503, errorType: 'ServiceUnavailable' } as const;

const encoder = new TextEncoder();

class DynamoFaults {
  public readonly requests: SeenRequest[] = [];
  private readonly plans = new Map<string, Required<Fault>>();

  /** Adds the fault middleware to a client's stack (a DocumentClient shares its client's stack). */
  public install<Client extends DynamoDBDocumentClient>(client: Client): Client {
    const faultInjection = (next: (args: any) => Promise<any>) => async (args: any) => {
      const headers = (args.request?.headers ?? {}) as Record<string, string>;
      const operation = (headers['x-amz-target'] ?? '').split('.')[1] ?? 'unknown';
      const plan = this.plans.get(operation);
      const skipped = plan !== undefined && plan.skip > 0;
      if (plan && skipped) plan.skip -= 1;
      const faulted = plan !== undefined && !skipped && plan.times > 0;
      this.requests.push({ operation, attemptHeader: headers['amz-sdk-request'] ?? '', faulted });
      if (!plan || !faulted) return next(args);
      plan.times -= 1;
      const body = { __type: `com.amazonaws.dynamodb.v20120810#${plan.errorType}`, message: `Injected ${plan.errorType}` };
      return {
        response: {
          statusCode: plan.status,
          reason: 'Injected fault',
          headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'INJECTEDFAULT', 'x-amzn-errortype': plan.errorType },
          body: encoder.encode(JSON.stringify(body)),
        },
        output: {},
      };
    };
    client.middlewareStack.addRelativeTo(faultInjection as never, {
      name: 'hardeningFaultInjection',
      relation: 'after',
      toMiddleware: 'deserializerMiddleware',
      override: true,
    });
    return client;
  }

  public fail(operation: DynamoOperation, fault: Fault): this {
    this.plans.set(operation, { times: Infinity, skip: 0, ...fault });
    return this;
  }

  public heal(): void {
    this.plans.clear();
  }

  /** Requests of an operation that reached the wire (faulted or not): the SDK's attempts. */
  public attempts(operation: DynamoOperation): number {
    return this.requests.filter((request) => request.operation === operation).length;
  }

  /** Requests of an operation that got an injected fault. */
  public faulted(operation: DynamoOperation): number {
    return this.requests.filter((request) => request.operation === operation && request.faulted).length;
  }

  public attemptHeaders(operation: DynamoOperation): string[] {
    return this.requests.filter((request) => request.operation === operation).map((request) => request.attemptHeader);
  }

  /** Forgets the requests seen so far (say, a test's setup), keeping the planned faults. */
  public forgetRequests(): this {
    this.requests.length = 0;
    return this;
  }
}

export type { DynamoOperation, Fault };
export { DynamoFaults, SERVER_ERROR, THROTTLE, THROTTLING, UNAVAILABLE };
