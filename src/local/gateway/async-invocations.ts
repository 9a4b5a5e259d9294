import { randomUUID } from 'node:crypto';
import type { InvokeOutcome, SerializedError } from './lambda-runtime.ts';

/** Lambda's asynchronous invocation settings (a function's event invoke config). */
interface AsyncInvocationSettings {
  /**
   * The wait before each retry of a failed event; its length is the number of retries (Lambda's
   * MaximumRetryAttempts, at most 2). @default [60000, 120000]: Lambda's about one minute, then two
   */
  retryDelaysMs: readonly number[];
  /** An event older than this is dropped instead of run (MaximumEventAgeInSeconds). @default 6 hours */
  maxEventAgeMs: number;
}

/** Why an event went to the on-failure destination, in Lambda's words. */
type FailureCondition = 'RetriesExhausted' | 'EventAgeExceeded';

/**
 * The record Lambda sends to an on-failure destination (SQS, SNS, ...) for an event it gave up on.
 * There is no SQS locally: the gateway keeps these records (LocalGateway.asyncFailures) and logs them.
 */
interface AsyncFailureRecord {
  version: '1.0';
  timestamp: string;
  requestContext: { requestId: string; functionArn: string; condition: FailureCondition; approximateInvokeCount: number };
  requestPayload: unknown;
  /** The last attempt's response, when one ran. */
  responseContext?: { statusCode: 200; executedVersion: '$LATEST'; functionError: 'Unhandled' };
  responsePayload?: { errorType: string; errorMessage: string; trace: string[] };
}

interface AsyncInvokerDeps {
  settings: AsyncInvocationSettings;
  /** Runs one attempt in the function's sandboxes; `attempt` counts from 1. */
  run(functionName: string, event: unknown, requestId: string, attempt: number): Promise<InvokeOutcome>;
  functionArn(functionName: string): string;
  /** Tracks a running attempt so the gateway's stop() can wait for it. */
  track(work: Promise<unknown>): void;
  onFailure(functionName: string, record: AsyncFailureRecord): void;
}

interface QueuedEvent {
  functionName: string;
  payload: unknown;
  requestId: string;
  receivedAt: number;
  attempts: number;
  lastError: SerializedError | undefined;
}

const DEFAULT_ASYNC_SETTINGS: AsyncInvocationSettings = { retryDelaysMs: [60_000, 120_000], maxEventAgeMs: 6 * 60 * 60 * 1000 };

/** Lambda allows 0 to 2 retries and an age of 60 s to 6 h; locally any age from 1 ms, so tests can age an event quickly. */
const checkAsyncSettings = (settings: AsyncInvocationSettings): AsyncInvocationSettings => {
  const { retryDelaysMs, maxEventAgeMs } = settings;
  if (retryDelaysMs.length > 2 || !retryDelaysMs.every((delay) => Number.isFinite(delay) && delay >= 0)) {
    throw new Error(`Async retry delays must be at most 2 non-negative numbers of milliseconds (Lambda retries an event at most twice), got [${retryDelaysMs.join(', ')}]`);
  }
  if (!(Number.isFinite(maxEventAgeMs) && maxEventAgeMs > 0)) throw new Error(`The maximum event age must be a positive number of milliseconds, got ${maxEventAgeMs}`);
  return settings;
};

/**
 * Lambda's internal queue for `InvocationType: Event`: the event is accepted at once, then run in
 * the function's sandboxes; a failed attempt (it threw, its sandbox crashed, it timed out) is retried
 * after each configured delay, and an event past the maximum age is dropped. An event given up on
 * becomes an on-failure destination record. Retries keep the event's request id (the context's
 * awsRequestId), as on Lambda.
 */
class AsyncInvoker {
  private readonly deps: AsyncInvokerDeps;
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  public constructor(deps: AsyncInvokerDeps) {
    this.deps = { ...deps, settings: checkAsyncSettings(deps.settings) };
  }

  /** Queues an event; resolves nothing, the caller answers 202 at once. @returns the event's request id */
  public enqueue(functionName: string, payload: unknown): string {
    const event: QueuedEvent = { functionName, payload, requestId: randomUUID(), receivedAt: Date.now(), attempts: 0, lastError: undefined };
    this.schedule(event, 0);
    return event.requestId;
  }

  /** Pending retries are abandoned (as events still queued are when a function is deleted). */
  public stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private schedule(event: QueuedEvent, delayMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.deps.track(this.attempt(event));
    }, delayMs);
    this.timers.add(timer);
  }

  private async attempt(event: QueuedEvent): Promise<void> {
    if (this.stopped) return;
    if (Date.now() - event.receivedAt > this.deps.settings.maxEventAgeMs) {
      this.fail(event, 'EventAgeExceeded');
      return;
    }
    event.attempts += 1;
    const outcome = await this.deps.run(event.functionName, event.payload, event.requestId, event.attempts);
    // An attempt cut by the gateway's stop is nobody's failure.
    if (outcome.ok || this.stopped) return;
    event.lastError = outcome.error;
    const delay = this.deps.settings.retryDelaysMs[event.attempts - 1];
    if (delay === undefined) this.fail(event, 'RetriesExhausted');
    else this.schedule(event, delay);
  }

  private fail(event: QueuedEvent, condition: FailureCondition): void {
    const { lastError } = event;
    this.deps.onFailure(event.functionName, {
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: { requestId: event.requestId, functionArn: `${this.deps.functionArn(event.functionName)}:$LATEST`, condition, approximateInvokeCount: event.attempts },
      requestPayload: event.payload,
      ...(lastError
        ? {
            responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
            responsePayload: { errorType: lastError.errorType, errorMessage: lastError.errorMessage, trace: lastError.stack },
          }
        : {}),
    });
  }
}

export type { AsyncFailureRecord, AsyncInvocationSettings, FailureCondition };
export { AsyncInvoker, checkAsyncSettings, DEFAULT_ASYNC_SETTINGS };
