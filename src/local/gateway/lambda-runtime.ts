import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
import { logStreamName, sandboxObserver } from './sandbox-setup.ts';

/** One Lambda function: its module (`handler` export), environment and limits. */
interface FunctionDefinition {
  /** Short name, e.g. `message`; the Lambda is `{prefix}-{name}`. */
  name: string;
  /** Absolute path of the module exporting the handler (`src/handlers/<name>.ts` or `dist/<name>/index.mjs`). */
  modulePath: string;
  /** @default 'handler' */
  handlerExport?: string;
  environment: Record<string, string>;
}

interface RuntimeOptions {
  /** e.g. `dev-websocket`, as Terraform names the functions. */
  functionNamePrefix: string;
  region: string;
  accountId: string;
  /** @default 256 */
  memoryMb?: number;
  /** @default 15000 (Terraform's lambda_timeout_seconds) */
  timeoutMs?: number;
  /** Sandboxes per function before invocations queue (Lambda would scale out further). @default 4 */
  maxSandboxes?: number;
  /** Where the functions' stdout/stderr lines go (CloudWatch Logs on AWS). @default process.stdout */
  onLog?: (functionName: string, line: string) => void;
}

interface SerializedError {
  errorType: string;
  errorMessage: string;
  stack: string[];
}

/**
 * `durationMs`: the handler's own time in its sandbox, when it ran (Lambda's Duration).
 * `waitMs`: the time before it ran: waiting for a free sandbox, plus a cold sandbox's init.
 */
type InvokeOutcome = { ok: true; result: unknown; durationMs?: number; waitMs?: number } | { ok: false; error: SerializedError; durationMs?: number; waitMs?: number };

type WorkerMessage =
  | { type: 'ready' }
  | { type: 'init-error'; error: SerializedError }
  | { type: 'result'; id: number; ok: true; result: unknown; durationMs: number }
  | { type: 'result'; id: number; ok: false; error: SerializedError; durationMs: number };

const SANDBOX_WORKER = new URL('./sandbox-worker.ts', import.meta.url);

type SandboxOptions = Required<Omit<RuntimeOptions, 'onLog'>> & Pick<RuntimeOptions, 'onLog'>;

/** The worker thread of one sandbox, with the function's environment and what the Lambda runtime adds to it. */
const startWorker = (definition: FunctionDefinition, options: SandboxOptions): Worker => {
  const functionName = `${options.functionNamePrefix}-${definition.name}`;
  const streamName = logStreamName();
  const logGroupName = `/aws/lambda/${functionName}`;
  const observer = sandboxObserver();
  return new Worker(SANDBOX_WORKER, {
    ...(observer.execArgv ? { execArgv: observer.execArgv } : {}),
    workerData: {
      modulePath: definition.modulePath,
      handlerExport: definition.handlerExport ?? 'handler',
      functionName,
      functionArn: `arn:aws:lambda:${options.region}:${options.accountId}:function:${functionName}`,
      memoryMb: options.memoryMb,
      timeoutMs: options.timeoutMs,
      logGroupName,
      logStreamName: streamName,
    },
    env: {
      ...definition.environment,
      ...observer.env,
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_FUNCTION_NAME: functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(options.memoryMb),
      AWS_LAMBDA_LOG_GROUP_NAME: logGroupName,
      AWS_LAMBDA_LOG_STREAM_NAME: streamName,
    },
    stdout: true,
    stderr: true,
  });
};

/** One execution environment (a worker thread) running one invocation at a time. */
class Sandbox {
  public readonly ready: Promise<void>;
  private readonly worker: Worker;
  private readonly timeoutMs: number;
  private nextId = 0;
  private pending: { id: number; resolve: (outcome: InvokeOutcome) => void } | undefined;
  private exited = false;

  public constructor(definition: FunctionDefinition, options: SandboxOptions) {
    this.timeoutMs = options.timeoutMs;
    this.worker = startWorker(definition, options);
    const onLog = options.onLog ?? ((_name: string, line: string) => process.stdout.write(`${line}\n`));
    for (const stream of [this.worker.stdout, this.worker.stderr]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => onLog(definition.name, line));
    }
    this.ready = this.watchWorker();
    this.ready.catch(() => undefined);
  }

  public get alive(): boolean {
    return !this.exited;
  }

  public run(event: unknown, requestId: string): Promise<InvokeOutcome> {
    const id = ++this.nextId;
    return new Promise<InvokeOutcome>((resolve) => {
      const timer = setTimeout(() => {
        // Lambda stops a timed-out sandbox; the next invocation gets a fresh (cold) one.
        this.settleWithError({
          errorType: 'Sandbox.Timedout',
          errorMessage: `Task timed out after ${(this.timeoutMs / 1000).toFixed(2)} seconds`,
          stack: [],
        });
        void this.stop();
      }, this.timeoutMs);
      this.pending = {
        id,
        resolve: (outcome) => {
          clearTimeout(timer);
          resolve(outcome);
        },
      };
      this.worker.postMessage({ id, event, requestId });
    });
  }

  public async stop(): Promise<void> {
    if (this.exited) return;
    this.exited = true;
    await this.worker.terminate();
  }

  /** Kills the worker if it runs an invocation, as an out-of-memory kill would: that invocation fails as Lambda reports a dead runtime. */
  public crashIfBusy(): boolean {
    if (!this.pending) return false;
    this.settleWithError({ errorType: 'Runtime.ExitError', errorMessage: 'Runtime exited with error: signal: killed', stack: [] });
    void this.stop();
    return true;
  }

  /** Resolves once the function's module is loaded; settles the pending invocation on a result, an error or an exit. */
  private watchWorker(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') resolve();
        else if (message.type === 'init-error') reject(Object.assign(new Error(message.error.errorMessage), { serialized: message.error }));
        else if (this.pending?.id === message.id) {
          const { resolve: settle } = this.pending;
          this.pending = undefined;
          settle(message.ok ? { ok: true, result: message.result, durationMs: message.durationMs } : { ok: false, error: message.error, durationMs: message.durationMs });
        }
      });
      this.worker.on('error', (error) => {
        reject(error);
        this.settleWithError({ errorType: 'Runtime.ExitError', errorMessage: error.message, stack: [] });
      });
      this.worker.on('exit', (code) => {
        this.exited = true;
        reject(new Error(`Sandbox exited during init with code ${code}`));
        this.settleWithError({ errorType: 'Runtime.ExitError', errorMessage: `Runtime exited with code ${code}`, stack: [] });
      });
    });
  }

  private settleWithError(error: SerializedError): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.resolve({ ok: false, error });
  }
}

/**
 * A Lambda function: warm sandboxes are reused, a new one is started (cold) only when all are busy,
 * up to `maxSandboxes`; beyond that invocations wait their turn. A failed init is reported as the
 * invocation's error and the sandbox is discarded, as Lambda does.
 */
class LambdaFunction {
  private readonly definition: FunctionDefinition;
  private readonly options: SandboxOptions;
  private readonly idle: Sandbox[] = [];
  private readonly all = new Set<Sandbox>();
  private readonly waiting: Array<(sandbox: Sandbox | undefined) => void> = [];
  private stopped = false;

  public constructor(definition: FunctionDefinition, options: RuntimeOptions) {
    this.definition = definition;
    this.options = { memoryMb: 256, timeoutMs: 15_000, maxSandboxes: 4, ...options };
  }

  public get name(): string {
    return this.definition.name;
  }

  /** Number of execution environments started so far that are still alive. */
  public get sandboxCount(): number {
    return this.all.size;
  }

  /** `requestId`: the context's awsRequestId (an async event's retries keep the first attempt's). */
  public async invoke(event: unknown, requestId: string = randomUUID()): Promise<InvokeOutcome> {
    const invokedAt = performance.now();
    const sandbox = await this.acquire();
    if (!sandbox) return { ok: false, error: { errorType: 'Runtime.Stopped', errorMessage: 'The gateway is stopping', stack: [] } };
    try {
      await sandbox.ready;
    } catch (error) {
      this.discard(sandbox);
      const serialized = (error as { serialized?: SerializedError }).serialized;
      return {
        ok: false,
        error: serialized ?? { errorType: 'Runtime.InitError', errorMessage: (error as Error).message, stack: [] },
      };
    }
    const waitMs = performance.now() - invokedAt;
    const outcome = await sandbox.run(event, requestId);
    this.release(sandbox);
    return { ...outcome, waitMs };
  }

  /** Test hook: kills the sandboxes running an invocation now (their invocations fail with Runtime.ExitError). @returns how many */
  public crashBusySandboxes(): number {
    return [...this.all].filter((sandbox) => sandbox.crashIfBusy()).length;
  }

  public async stop(): Promise<void> {
    this.stopped = true;
    for (const resolve of this.waiting.splice(0)) resolve(undefined);
    await Promise.all([...this.all].map((sandbox) => sandbox.stop()));
    this.all.clear();
    this.idle.length = 0;
  }

  private acquire(): Promise<Sandbox | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    // A sandbox whose worker died while idle is dropped, as Lambda would start a fresh one.
    for (let warm = this.idle.pop(); warm; warm = this.idle.pop()) {
      if (warm.alive) return Promise.resolve(warm);
      this.all.delete(warm);
      void warm.stop();
    }
    if (this.all.size < this.options.maxSandboxes) {
      const sandbox = new Sandbox(this.definition, this.options);
      this.all.add(sandbox);
      return Promise.resolve(sandbox);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(sandbox: Sandbox): void {
    if (!sandbox.alive || this.stopped) {
      this.discard(sandbox);
      return;
    }
    const next = this.waiting.shift();
    if (next) next(sandbox);
    else this.idle.push(sandbox);
  }

  private discard(sandbox: Sandbox): void {
    this.all.delete(sandbox);
    void sandbox.stop();
    // A slot is free again: start a fresh sandbox for whoever waits.
    const next = this.waiting.shift();
    if (next) {
      if (this.stopped) {
        next(undefined);
        return;
      }
      const fresh = new Sandbox(this.definition, this.options);
      this.all.add(fresh);
      next(fresh);
    }
  }
}

export type { FunctionDefinition, InvokeOutcome, RuntimeOptions, SerializedError };
export { LambdaFunction };
