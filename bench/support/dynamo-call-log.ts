import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import { type InstrumentableClient, SDK_CALL_OBSERVER, type SdkCallObserver } from '../../src/observability/sdk-call-observer.ts';

/** One DynamoDB call, as a function made it, with what it was for. */
interface LoggedCall {
  /** `message`, `respond`, `cancel`, or `bench` for calls made outside any function. */
  function: string;
  operation: string;
  purpose: string;
  write: boolean;
  /** performance.now() when the call started. */
  at: number;
}

/** An SDK v3 client's middleware stack, as far as adding an initialize-step middleware goes. */
interface MiddlewareStackLike {
  add(
    middleware: (next: (args: { input?: unknown }) => Promise<unknown>, context: { commandName?: string }) => (args: { input?: unknown }) => Promise<unknown>,
    options: { step: 'initialize'; name: string },
  ): void;
}

type Input = Record<string, unknown>;

const WRITE_OPERATIONS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems', 'BatchWriteItem']);

const asInput = (value: unknown): Input => (typeof value === 'object' && value !== null ? (value as Input) : {});
/** A key attribute's value, plain or marshalled (`{ S: ... }`): the middleware may see either shape. */
const plain = (value: unknown): unknown => (typeof value === 'object' && value !== null && 'S' in value ? (value as { S: unknown }).S : value);

/** What a write or read was for, told from its table, key and expression (the stores' own shapes). */
const purposeOf = (operation: string, input: Input, connectionsTable: string): string => {
  if (operation === 'TransactWriteItems') return 'question (with its clientMessageId marker)';
  if (operation === 'Query') return input.TableName === connectionsTable ? 'connections query' : 'messages query';
  const key = asInput(input.Key ?? input.Item);
  if (input.TableName === connectionsTable) {
    const connectionId = String(plain(key.connectionId) ?? '');
    if (connectionId.startsWith('budget#')) return 'budget';
    if (connectionId.startsWith('bucket#')) return 'rate limit';
    return 'connection row';
  }
  if (plain(key.itemKey) === 'TURN') return operation === 'PutItem' ? 'turn claim' : 'turn release';
  const expression = String(input.UpdateExpression ?? input.ProjectionExpression ?? '');
  if (operation === 'PutItem') return plain(asInput(input.Item).role) === 'assistant' ? 'reply item (streaming)' : 'question';
  if (operation === 'GetItem') return expression.includes('cancelRequested') ? 'cancel poll' : 'message read (the question)';
  if (expression.includes('ADD attempts')) return 'generation lease';
  if (expression.startsWith('SET message = :message')) return 'persist text';
  if (expression.startsWith('SET #status')) return 'end (final status)';
  if (expression.includes('cancelRequested')) return 'cancel request';
  if (expression.includes('replyLeaseUntil')) return 'reply lease';
  return operation;
};

/**
 * Logs every DynamoDB call of the clients it is attached to (an SDK middleware at the initialize
 * step: each logical call once, retries included) under the function that made it. The function is
 * known through the SDK call observer's seam: the test kit's in-process invoker runs the respond
 * function inside `runAs('respond', ...)` when an observer with `runAs` is installed; the bench runs
 * the message and cancel chains inside `runAs` itself.
 */
class DynamoCallLog {
  public readonly calls: LoggedCall[] = [];
  readonly #invocation = new AsyncLocalStorage<string>();
  readonly #connectionsTable: string;

  public constructor(connectionsTable: string) {
    this.#connectionsTable = connectionsTable;
  }

  public attach(client: InstrumentableClient): void {
    (client.middlewareStack as MiddlewareStackLike).add(
      (next, context) => async (args) => {
        const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
        const input = asInput(args.input);
        this.calls.push({
          function: this.#invocation.getStore() ?? 'bench',
          operation,
          purpose: purposeOf(operation, input, this.#connectionsTable),
          write: WRITE_OPERATIONS.has(operation),
          at: performance.now(),
        });
        return next(args);
      },
      { step: 'initialize', name: 'benchDynamoCallLog' },
    );
  }

  public runAs<Result>(functionName: string, invoke: () => Result): Result {
    return this.#invocation.run(functionName, invoke);
  }

  /**
   * Installs this log as the process's SDK call observer (attaching nothing: the bench attaches its
   * own clients), so the in-process respond runs are named; returns the function that uninstalls it.
   */
  public install(): () => void {
    const global = globalThis as { [SDK_CALL_OBSERVER]?: SdkCallObserver };
    const previous = global[SDK_CALL_OBSERVER];
    const observer: SdkCallObserver & Pick<DynamoCallLog, 'runAs'> = { attach: () => undefined, runAs: (name, invoke) => this.runAs(name, invoke) };
    global[SDK_CALL_OBSERVER] = observer;
    return () => {
      global[SDK_CALL_OBSERVER] = previous;
    };
  }

  public reset(): void {
    this.calls.length = 0;
  }
}

export type { LoggedCall };
export { DynamoCallLog };
