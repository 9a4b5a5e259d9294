import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FUNCTIONS } from '../../config/function-manifest.ts';
import { DEV_JWT_SECRET } from '../dev-config.ts';
import type { Integrations } from './admission.ts';
import { functionEnvironment, type LocalServices } from './function-environment.ts';
import { type InvokeOutcome, LambdaFunction } from './lambda-runtime.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** One invocation, as a test or a log sees it. */
interface InvocationRecord {
  routeKey: string;
  functionName: string;
  event: unknown;
  outcome: InvokeOutcome;
}

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
  /** @default 15000 */
  functionTimeoutMs?: number;
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
type ServiceEndpoints = Omit<LocalServices, 'jwtSecret' | 'devMode' | 'extra' | 'authorizerExtra'>;

const defaultRoutes = (): Record<string, string> => Object.fromEntries(FUNCTIONS.filter((spec) => spec.route !== 'authorizer').map((spec) => [spec.route, spec.name]));

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
 * routes. `integrations` is what the WebSocket front door invokes.
 */
class FunctionHost {
  public readonly integrations: Integrations;
  private readonly functions = new Map<string, LambdaFunction>();
  private readonly routes: Map<string, string>;
  private readonly options: FunctionHostOptions;
  private readonly services: ServiceEndpoints;
  private readonly accountId: string;

  public constructor(options: FunctionHostOptions, services: ServiceEndpoints, accountId: string) {
    this.options = options;
    this.services = services;
    this.accountId = accountId;
    this.routes = routeTable(options);
    this.integrations = {
      messageRouteKeys: new Set([...this.routes.keys()].filter((key) => !['authorizer', '$connect', '$disconnect'].includes(key))),
      has: (routeKey) => this.routes.has(routeKey),
      invoke: (routeKey, event) => this.invoke(routeKey, event),
    };
  }

  /** Stops every sandbox; an invocation still waiting for one ends as `Runtime.Stopped`. */
  public async stop(): Promise<void> {
    await Promise.all([...this.functions.values()].map((fn) => fn.stop()));
  }

  private async invoke(routeKey: string, event: unknown): Promise<InvokeOutcome> {
    const name = this.routes.get(routeKey) as string;
    const outcome = await this.functionFor(name).invoke(event);
    this.options.onInvoke?.({ routeKey, functionName: name, event, outcome });
    return outcome;
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
    });
    const fn = new LambdaFunction(
      { name, modulePath: modulePath(name, options), environment },
      {
        functionNamePrefix: `${this.services.environment}-websocket`,
        region: this.services.region,
        accountId: this.accountId,
        ...(options.functionTimeoutMs === undefined ? {} : { timeoutMs: options.functionTimeoutMs }),
        ...(options.maxSandboxesPerFunction === undefined ? {} : { maxSandboxes: options.maxSandboxesPerFunction }),
        ...(options.onLog ? { onLog: options.onLog } : {}),
      },
    );
    this.functions.set(name, fn);
    return fn;
  }
}

export type { FunctionCodeOptions, FunctionHostOptions, FunctionRuntimeOptions, InvocationRecord, ServiceEndpoints };
export { FunctionHost };
