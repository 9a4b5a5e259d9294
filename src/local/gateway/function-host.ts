import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FUNCTIONS } from '../../config/function-manifest.ts';
import { DEV_JWT_SECRET } from '../dev-config.ts';
import type { Integrations } from './admission.ts';
import { type AsyncFailureRecord, type AsyncInvocationSettings, AsyncInvoker, DEFAULT_ASYNC_SETTINGS } from './async-invocations.ts';
import { functionEnvironment, type LocalServices } from './function-environment.ts';
import { type InvokeOutcome, LambdaFunction } from './lambda-runtime.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** One invocation, as a test or a log sees it. */
interface InvocationRecord {
  /** The route key API Gateway invoked it for (`authorizer` included), or `Invoke` for a call through Lambda's Invoke API. */
  routeKey: string;
  functionName: string;
  event: unknown;
  outcome: InvokeOutcome;
  /** Through the Invoke API: how it was invoked. */
  invocationType?: 'Event' | 'RequestResponse';
  /** An async event's attempt, from 1 (Lambda retries a failed one at most twice). */
  attempt?: number;
  /** The context's awsRequestId (the same for every attempt of an async event). */
  requestId?: string;
}

/** How a function is invoked: by API Gateway for a route, or through the Invoke API. */
interface InvocationSource {
  routeKey: string;
  invocationType?: 'Event' | 'RequestResponse';
  attempt?: number;
  requestId?: string;
}

/** A function the manifest marks `route: 'async'` (respond) has its own timeout: Terraform's default, 300 s. */
const ASYNC_FUNCTION_TIMEOUT_MS = 300_000;
const ASYNC_FUNCTIONS: ReadonlySet<string> = new Set(FUNCTIONS.filter((spec) => spec.route === 'async').map((spec) => spec.name));

/** Which code runs behind which route. */
interface FunctionCodeOptions {
  /** `source`: `src/handlers/<name>.ts`; `dist`: the build's `dist/<name>/index.mjs`. @default 'source' */
  handlers?: 'source' | 'dist';
  /** @default `<repo>/dist` */
  distDir?: string;
  /** Replace a function's module (absolute path exporting `handler`), e.g. a test fixture. */
  functionModules?: Record<string, string>;
  /** Route key → function name; `null` removes a route (e.g. `$default`). @default the function manifest */
  routes?: Record<string, string | null>;
  /** The REQUEST authorizer's function, or `null` for none. @default 'authorizer' */
  authorizer?: string | null;
}

/** What the functions are given, and how their sandboxes run and report. */
interface FunctionRuntimeOptions {
  /** @default the dev secret */
  jwtSecret?: string;
  /** Added to every function's environment (RATE_LIMIT_BURST, RESPONDER, ...). */
  functionEnvironment?: Record<string, string>;
  /** Added to the authorizer's environment (JWT_ISSUER, JWT_AUDIENCE, ALLOWED_ORIGINS). */
  authorizerEnvironment?: Record<string, string>;
  /** Powertools' dev mode (pretty logs). @default false */
  devMode?: boolean;
  /** @default 15000 (the route functions' Terraform default) */
  functionTimeoutMs?: number;
  /** A function's own timeout, by short name (e.g. `{ respond: 3000 }`). @default 300000 for the manifest's async functions, else functionTimeoutMs */
  functionTimeoutsMs?: Record<string, number>;
  /** Lambda's retries and maximum event age for `InvocationType: Event` (env LAMBDA_ASYNC_RETRY_DELAYS_MS, LAMBDA_MAX_EVENT_AGE_MS for npm start). @default Lambda's: [60000, 120000] and 6 h */
  asyncInvocation?: Partial<AsyncInvocationSettings>;
  /** An async event Lambda gave up on, as its on-failure destination would receive it (also logged, and kept in LocalGateway.asyncFailures). */
  onAsyncFailure?: (record: AsyncFailureRecord) => void;
  /** Concurrent sandboxes per function before invocations queue. @default 4 */
  maxSandboxesPerFunction?: number;
  /** The functions' log lines. @default written to stdout */
  onLog?: (functionName: string, line: string) => void;
  /** Every invocation and its outcome, after it ends. */
  onInvoke?: (record: InvocationRecord) => void;
}

type FunctionHostOptions = FunctionCodeOptions & FunctionRuntimeOptions;

/**
 * Where the functions find the local services (tables, DynamoDB, the management endpoint, Region and
 * credentials); ENVIRONMENT also names the functions, `{environment}-websocket-{name}`.
 */
type ServiceEndpoints = Omit<LocalServices, 'jwtSecret' | 'devMode' | 'extra' | 'authorizerExtra' | 'asyncFunctionNames'>;

/** The manifest's routes: not the authorizer, and not the async functions (no frame can reach them). */
const defaultRoutes = (): Record<string, string> =>
  Object.fromEntries(FUNCTIONS.filter((spec) => spec.route !== 'authorizer' && spec.route !== 'async').map((spec) => [spec.route, spec.name]));

/** Route key → function name: the manifest's routes with the options' changes, plus the authorizer. */
const routeTable = (options: FunctionCodeOptions): Map<string, string> => {
  const table = new Map<string, string>();
  for (const [routeKey, name] of Object.entries({ ...defaultRoutes(), ...options.routes })) {
    if (name) table.set(routeKey, name);
  }
  const authorizerName = options.authorizer === undefined ? 'authorizer' : options.authorizer;
  if (authorizerName) table.set('authorizer', authorizerName);
  return table;
};

const modulePath = (name: string, options: FunctionCodeOptions): string =>
  options.functionModules?.[name] ?? (options.handlers === 'dist' ? join(options.distDir ?? join(ROOT, 'dist'), name, 'index.mjs') : join(ROOT, 'src', 'handlers', `${name}.ts`));

/**
 * The Lambda side: the real handler modules (or the build's bundles), each function started on its
 * first invocation in Lambda-like sandboxes with the environment Terraform would give it, behind the
 * routes. `integrations` is what the WebSocket front door invokes; `invokeFunction` and `asyncEvents`
 * are what Lambda's Invoke API serves.
 */
class FunctionHost {
  public readonly integrations: Integrations;
  /** The short names of the functions this host has: the manifest's, the routes', the replaced modules'. */
  public readonly functionNames: ReadonlySet<string>;
  /** Lambda's queue for `InvocationType: Event`. */
  public readonly asyncEvents: AsyncInvoker;
  /** Every async event given up on, oldest first (there is no on-failure SQS queue locally). */
  public readonly asyncFailures: AsyncFailureRecord[] = [];
  private readonly functions = new Map<string, LambdaFunction>();
  private readonly routes: Map<string, string>;
  private readonly options: FunctionHostOptions;
  private readonly services: ServiceEndpoints;
  private readonly accountId: string;

  /** `track`: work stop() waits for (an async event's running attempt). */
  public constructor(options: FunctionHostOptions, services: ServiceEndpoints, accountId: string, track: (work: Promise<unknown>) => void) {
    this.options = options;
    this.services = services;
    this.accountId = accountId;
    this.routes = routeTable(options);
    this.functionNames = new Set([...FUNCTIONS.map((spec) => spec.name), ...this.routes.values(), ...Object.keys(options.functionModules ?? {})]);
    this.integrations = {
      messageRouteKeys: new Set([...this.routes.keys()].filter((key) => !['authorizer', '$connect', '$disconnect'].includes(key))),
      has: (routeKey) => this.routes.has(routeKey),
      invoke: (routeKey, event) => this.invokeFunction(this.routes.get(routeKey) as string, event, { routeKey }),
    };
    this.asyncEvents = new AsyncInvoker({
      settings: { ...DEFAULT_ASYNC_SETTINGS, ...options.asyncInvocation },
      run: (name, event, requestId, attempt) => this.invokeFunction(name, event, { routeKey: 'Invoke', invocationType: 'Event', attempt, requestId }),
      functionArn: (name) => this.functionArn(name),
      track,
      onFailure: (name, record) => this.recordAsyncFailure(name, record),
    });
  }

  /** `arn:aws:lambda:{region}:{account}:function:{env}-websocket-{name}` */
  public functionArn(name: string): string {
    return `arn:aws:lambda:${this.services.region}:${this.accountId}:function:${this.services.environment}-websocket-${name}`;
  }

  /** Runs one invocation of a function (by short name) in its sandboxes, and reports it to onInvoke. */
  public async invokeFunction(name: string, event: unknown, source: InvocationSource): Promise<InvokeOutcome> {
    const outcome = await this.functionFor(name).invoke(event, source.requestId);
    this.options.onInvoke?.({ ...source, functionName: name, event, outcome });
    return outcome;
  }

  /** Test hook: kills the sandboxes of a function that are running an invocation now. @returns how many */
  public crashSandboxes(name: string): number {
    return this.functions.get(name)?.crashBusySandboxes() ?? 0;
  }

  /** Abandons pending async retries, then stops every sandbox; an invocation still waiting for one ends as `Runtime.Stopped`. */
  public async stop(): Promise<void> {
    this.asyncEvents.stop();
    await Promise.all([...this.functions.values()].map((fn) => fn.stop()));
  }

  private recordAsyncFailure(name: string, record: AsyncFailureRecord): void {
    this.asyncFailures.push(record);
    const { condition, approximateInvokeCount, requestId } = record.requestContext;
    const line = `Async event ${requestId} sent to the on-failure destination: ${condition} after ${approximateInvokeCount} attempt(s)`;
    (this.options.onLog ?? ((_name: string, text: string) => process.stdout.write(`${text}\n`)))(name, line);
    this.options.onAsyncFailure?.(record);
  }

  private timeoutFor(name: string): number | undefined {
    return this.options.functionTimeoutsMs?.[name] ?? (ASYNC_FUNCTIONS.has(name) ? ASYNC_FUNCTION_TIMEOUT_MS : this.options.functionTimeoutMs);
  }

  private functionFor(name: string): LambdaFunction {
    const existing = this.functions.get(name);
    if (existing) return existing;
    const { options } = this;
    const environment = functionEnvironment(name, {
      ...this.services,
      jwtSecret: options.jwtSecret ?? DEV_JWT_SECRET,
      devMode: options.devMode ?? false,
      extra: options.functionEnvironment ?? {},
      authorizerExtra: options.authorizerEnvironment ?? {},
      asyncFunctionNames: [...ASYNC_FUNCTIONS],
    });
    const timeoutMs = this.timeoutFor(name);
    const fn = new LambdaFunction(
      { name, modulePath: modulePath(name, options), environment },
      {
        functionNamePrefix: `${this.services.environment}-websocket`,
        region: this.services.region,
        accountId: this.accountId,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
        ...(options.maxSandboxesPerFunction === undefined ? {} : { maxSandboxes: options.maxSandboxesPerFunction }),
        ...(options.onLog ? { onLog: options.onLog } : {}),
      },
    );
    this.functions.set(name, fn);
    return fn;
  }
}

export type { FunctionCodeOptions, FunctionHostOptions, FunctionRuntimeOptions, InvocationRecord, InvocationSource, ServiceEndpoints };
export { FunctionHost };
