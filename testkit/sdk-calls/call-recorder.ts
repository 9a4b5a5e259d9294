/**
 * Records the IAM-relevant shape of every AWS call a function makes: an SDK middleware at the
 * initialize step (each logical call once, before retries, whether it then succeeds or fails) turns
 * the command and its input into IAM actions and resources, and appends each distinct one once per
 * process to the run's NDJSON file. Node runs this file directly in gateway sandboxes (erasable TS).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { appendFileSync } from 'node:fs';
import { type AwsService, type InstrumentableClient, SDK_CALL_OBSERVER, type SdkCallObserver } from '../../src/observability/sdk-call-observer.ts';

/** Where the function ran: in the jest process, or in a local-gateway sandbox from src/ or dist/. */
type CallPath = 'in-process' | 'sandbox-src' | 'sandbox-dist';

interface ObservedCall {
  /** The manifest name (`connect`, `message`...). */
  function: string;
  service: AwsService;
  /** The IAM action, e.g. `dynamodb:PutItem`: one per item of a transaction, as IAM evaluates them. */
  action: string;
  /** DynamoDB: the table name; SSM: the parameter name; Lambda: the invoked function's name (or ARN) as called. */
  resource?: string;
  /** DynamoDB: the index a Query or Scan reads. */
  index?: string;
  /** execute-api: the `@connections` HTTP method. */
  method?: string;
  path: CallPath;
  /** The test file that ran the function, relative to the repository. */
  source?: string;
}

type CallShape = Pick<ObservedCall, 'action' | 'resource' | 'index' | 'method'>;

interface MiddlewareStackLike {
  add(
    middleware: (next: (args: { input?: unknown }) => Promise<unknown>, context: { commandName?: string }) => (args: { input?: unknown }) => Promise<unknown>,
    options: { step: 'initialize'; name: string },
  ): void;
}

type Input = Record<string, unknown>;

const asInput = (value: unknown): Input => (typeof value === 'object' && value !== null ? (value as Input) : {});
const stringOrUndefined = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** A transaction item's key (`Put`, `Update`, `Delete`, `ConditionCheck`, `Get`) → the action IAM checks. */
const TRANSACTION_ITEM_ACTIONS: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
  Get: 'dynamodb:GetItem',
};

const dynamodbShapes = (operation: string, input: Input): CallShape[] => {
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    const items = Array.isArray(input.TransactItems) ? input.TransactItems.map(asInput) : [];
    return items.flatMap((item) =>
      Object.entries(item).map(([kind, body]) => ({
        action: TRANSACTION_ITEM_ACTIONS[kind] ?? `dynamodb:${operation}(${kind})`,
        resource: stringOrUndefined(asInput(body).TableName),
      })),
    );
  }
  if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
    return Object.keys(asInput(input.RequestItems)).map((table) => ({ action: `dynamodb:${operation}`, resource: table }));
  }
  const index = stringOrUndefined(input.IndexName);
  return [{ action: `dynamodb:${operation}`, resource: stringOrUndefined(input.TableName), ...(index ? { index } : {}) }];
};

const CONNECTIONS_METHODS: Record<string, string> = { PostToConnection: 'POST', GetConnection: 'GET', DeleteConnection: 'DELETE' };

/** The IAM actions and resources of one SDK command. */
const callShapes = (service: AwsService, commandName: string, rawInput: unknown): CallShape[] => {
  const operation = commandName.replace(/Command$/, '');
  const input = asInput(rawInput);
  switch (service) {
    case 'dynamodb':
      return dynamodbShapes(operation, input);
    case 'execute-api':
      return [{ action: 'execute-api:ManageConnections', method: CONNECTIONS_METHODS[operation] ?? `?${operation}` }];
    case 'ssm':
      return [{ action: `ssm:${operation}`, resource: stringOrUndefined(input.Name) }];
    case 'bedrock':
      // IAM authorizes Converse as InvokeModel and ConverseStream as InvokeModelWithResponseStream.
      return [{ action: operation === 'ConverseStream' ? 'bedrock:InvokeModelWithResponseStream' : `bedrock:${operation}`, resource: stringOrUndefined(input.modelId) }];
    case 'lambda':
      // Invoke (any InvocationType) is authorized as lambda:InvokeFunction on the function named.
      return [{ action: operation === 'Invoke' ? 'lambda:InvokeFunction' : `lambda:${operation}`, resource: stringOrUndefined(input.FunctionName) }];
  }
};

interface RecorderOptions {
  file: string;
  path: CallPath;
  source?: string;
  /** The function every call belongs to (a sandbox runs one); in-process, `runAs` names it per invocation. */
  functionName?: string;
}

/**
 * The observer tests install under SDK_CALL_OBSERVER. Calls made outside any function (a test's own
 * assertions through a production client) are not recorded.
 */
class SdkCallRecorder implements SdkCallObserver {
  private readonly options: RecorderOptions;
  // Created on first use: a sandbox runs one function and never needs it.
  private invocation: AsyncLocalStorage<string> | undefined;
  private readonly instrumented = new WeakSet<object>();
  private readonly written = new Set<string>();

  public constructor(options: RecorderOptions) {
    this.options = options;
  }

  /** Attaches once per middleware stack: a DocumentClient and its client share one. */
  public attach(client: InstrumentableClient, service: AwsService): void {
    if (this.instrumented.has(client.middlewareStack)) return;
    this.instrumented.add(client.middlewareStack);
    const record = (commandName: string | undefined, input: unknown) => this.record(service, commandName ?? 'Unknown', input);
    (client.middlewareStack as MiddlewareStackLike).add(
      (next, context) =>
        async function recordSdkCall(args) {
          record(context.commandName, args.input);
          return next(args);
        },
      { step: 'initialize', name: `sdkCallRecorder-${service}` },
    );
  }

  /** Runs one in-process invocation of a function, so its calls are recorded under its name. */
  public runAs<Result>(functionName: string, invoke: () => Result): Result {
    this.invocation ??= new AsyncLocalStorage<string>();
    return this.invocation.run(functionName, invoke);
  }

  private record(service: AwsService, commandName: string, input: unknown): void {
    const functionName = this.invocation?.getStore() ?? this.options.functionName;
    if (functionName === undefined) return;
    for (const shape of callShapes(service, commandName, input)) {
      const call: ObservedCall = {
        function: functionName,
        service,
        ...shape,
        path: this.options.path,
        ...(this.options.source ? { source: this.options.source } : {}),
      };
      const line = JSON.stringify(call);
      if (this.written.has(line)) continue;
      this.written.add(line);
      // One small append per distinct call: O_APPEND keeps lines from concurrent writers whole.
      appendFileSync(this.options.file, `${line}\n`);
    }
  }
}

const installRecorder = (recorder: SdkCallRecorder): void => {
  (globalThis as { [SDK_CALL_OBSERVER]?: SdkCallObserver })[SDK_CALL_OBSERVER] = recorder;
};

type FunctionRunner = Pick<SdkCallRecorder, 'runAs'>;

/**
 * The in-process recorder of this test file, when the run records calls. Checked by shape, not
 * `instanceof`: the setup file that installed it may hold another copy of this module.
 */
const installedRecorder = (): FunctionRunner | undefined => {
  const observer = (globalThis as { [SDK_CALL_OBSERVER]?: SdkCallObserver | (SdkCallObserver & FunctionRunner) })[SDK_CALL_OBSERVER];
  return observer && 'runAs' in observer ? observer : undefined;
};

/**
 * Wraps a handler so that its calls are recorded under the function's manifest name (a no-op when
 * the run records nothing).
 *
 * @example const connect = recordedAs('connect', (await import('../src/handlers/connect.ts')).handler);
 */
const recordedAs =
  <Args extends unknown[], Result>(functionName: string, handler: (...args: Args) => Result): ((...args: Args) => Result) =>
  (...args) => {
    const recorder = installedRecorder();
    return recorder ? recorder.runAs(functionName, () => handler(...args)) : handler(...args);
  };

export type { CallPath, ObservedCall };
export { callShapes, installRecorder, recordedAs, SdkCallRecorder };
