import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FUNCTIONS } from '../../config/function-manifest.ts';
import { clearTable } from '../clear-table.ts';
import { createTables, type LocalTableNames } from '../create-tables.ts';
import { DEV_JWT_SECRET, LOCAL_DEFAULTS } from '../dev-config.ts';
import { type DynamoDbLocal, startDynamoDbLocal } from '../dynamodb-local.ts';
import { ConnectionRegistry, GOING_AWAY } from './connections.ts';
import type { ApiDescription } from './events.ts';
import { functionEnvironment } from './function-environment.ts';
import { apiIdFor } from './ids.ts';
import { type InvokeOutcome, LambdaFunction } from './lambda-runtime.ts';
import { handleManagementRequest } from './management-api.ts';
import { type Integrations, WebSocketFrontDoor } from './websocket-server.ts';

/** API Gateway's integration timeout: how long a frame received before a stop may still run. */
const INTEGRATION_TIMEOUT_MS = 29_000;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** One invocation, as a test or a log sees it. */
interface InvocationRecord {
  routeKey: string;
  functionName: string;
  event: unknown;
  outcome: InvokeOutcome;
}

interface LocalGatewayOptions {
  /** 0 picks a free port. @default 3001 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 'dev' */
  stage?: string;
  /** ENVIRONMENT: names the tables (`{env}-chatbot-*`) and the functions. @default 'dev' */
  environment?: string;
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
  /** @default the dev secret */
  jwtSecret?: string;
  /** Added to every function's environment (RATE_LIMIT_BURST, RESPONDER, ...). */
  functionEnvironment?: Record<string, string>;
  /** Added to the authorizer's environment (JWT_ISSUER, JWT_AUDIENCE, ALLOWED_ORIGINS). */
  authorizerEnvironment?: Record<string, string>;
  /**
   * An existing DynamoDB (Local) to use. Passing the key with `undefined` makes the gateway start its
   * own DynamoDB Local (stopped by stop()). @default process.env.AWS_ENDPOINT_URL_DYNAMODB
   */
  dynamoDbEndpoint?: string | undefined;
  /** With the gateway's own DynamoDB Local: keep its data in this folder. @default in memory */
  dynamoDbDataDir?: string;
  /** @default 10 minutes */
  idleTimeoutMs?: number;
  /** @default 2 hours */
  maxConnectionDurationMs?: number;
  /** @default 32 KB */
  frameLimitBytes?: number;
  /** @default 128 KB */
  messageLimitBytes?: number;
  /** Powertools' dev mode (pretty logs). @default false */
  devMode?: boolean;
  /** @default 15000 */
  functionTimeoutMs?: number;
  /** Concurrent sandboxes per function before invocations queue. @default 4 */
  maxSandboxesPerFunction?: number;
  /** The functions' log lines. @default written to stdout */
  onLog?: (functionName: string, line: string) => void;
  /**
   * Other plain HTTP requests on the gateway's port (not `@connections`, not an upgrade), e.g. a demo
   * page. Return true when handled; otherwise the gateway answers as API Gateway would (403/426).
   */
  onHttpRequest?: (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;
  /** Every invocation and its outcome, after it ends. */
  onInvoke?: (record: InvocationRecord) => void;
}

interface LocalGateway {
  /** e.g. `ws://127.0.0.1:3001/dev` */
  url: string;
  /** e.g. `http://127.0.0.1:3001/dev` (WS_MANAGEMENT_ENDPOINT) */
  managementEndpoint: string;
  port: number;
  stage: string;
  environment: string;
  tables: LocalTableNames;
  dynamoDb: { endpoint: string; pid?: number };
  /** Connection rows a previous run left in the gateway's own DynamoDB Local (its data dir), deleted at start. */
  staleConnectionRowsCleared: number;
  /** Closes every connection (running `$disconnect`), stops the functions, the server and an owned DynamoDB Local. */
  stop(): Promise<void>;
}

const defaultRoutes = (): Record<string, string> =>
  Object.fromEntries(FUNCTIONS.filter((spec) => spec.route !== 'authorizer').map((spec) => [spec.route, spec.name]));

/**
 * Starts the local API Gateway: WebSocket and `@connections` on one port, the project's functions
 * in Lambda-like sandboxes, tables created in DynamoDB Local.
 * @example
 * const gateway = await startLocalGateway({ port: 0, environment: 'e2e-chat' });
 * const socket = new WebSocket(`${gateway.url}?token=${token}`);
 * await gateway.stop();
 */
const startLocalGateway = async (options: LocalGatewayOptions = {}): Promise<LocalGateway> => {
  const stage = options.stage ?? LOCAL_DEFAULTS.stage;
  const environment = options.environment ?? LOCAL_DEFAULTS.environment;
  const host = options.host ?? LOCAL_DEFAULTS.host;
  const region = process.env.AWS_REGION ?? LOCAL_DEFAULTS.region;
  const accessKeyId = process.env.AWS_ACCESS_KEY_ID ?? LOCAL_DEFAULTS.accessKeyId;
  const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY ?? LOCAL_DEFAULTS.secretAccessKey;
  const limits = {
    frameLimitBytes: options.frameLimitBytes ?? LOCAL_DEFAULTS.frameLimitBytes,
    messageLimitBytes: options.messageLimitBytes ?? LOCAL_DEFAULTS.messageLimitBytes,
  };

  let ownDynamoDb: DynamoDbLocal | undefined;
  const configuredEndpoint = 'dynamoDbEndpoint' in options ? options.dynamoDbEndpoint : process.env.AWS_ENDPOINT_URL_DYNAMODB;
  if (!configuredEndpoint) {
    ownDynamoDb = await startDynamoDbLocal(options.dynamoDbDataDir ? { dbPath: options.dynamoDbDataDir } : {});
  }
  const dynamoDbEndpoint = configuredEndpoint ?? (ownDynamoDb as DynamoDbLocal).endpoint;

  try {
    const client = new DynamoDBClient({ endpoint: dynamoDbEndpoint, region, credentials: { accessKeyId, secretAccessKey } });
    let tables: LocalTableNames;
    let staleConnectionRowsCleared = 0;
    try {
      tables = await createTables(client, environment);
      // A gateway starts with no connection, so every row in its own DynamoDB Local is a leftover of a
      // run that died without $disconnect (a reused data dir): counted against the per-user cap, it
      // would refuse the user with 429. Per-user items in that table belong to those connections too.
      if (ownDynamoDb) staleConnectionRowsCleared = await clearTable(client, tables.connections);
    } finally {
      client.destroy();
    }

    const api: ApiDescription = { apiId: apiIdFor(), stage, region, accountId: LOCAL_DEFAULTS.accountId };
    const registry = new ConnectionRegistry({
      idleTimeoutMs: options.idleTimeoutMs ?? LOCAL_DEFAULTS.idleTimeoutMs,
      maxDurationMs: options.maxConnectionDurationMs ?? LOCAL_DEFAULTS.maxConnectionDurationMs,
    });
    const inFlight = new Set<Promise<unknown>>();
    const track = (work: Promise<unknown>) => {
      const settled = work.catch(() => undefined).finally(() => inFlight.delete(settled));
      inFlight.add(settled);
    };

    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? LOCAL_DEFAULTS.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as AddressInfo).port;
    const urlHost = host.includes(':') ? `[${host}]` : host;
    const managementEndpoint = `http://${urlHost}:${port}/${stage}`;

    const services = {
      environment,
      connectionsTable: tables.connections,
      messagesTable: tables.messages,
      managementEndpoint,
      dynamoDbEndpoint,
      region,
      accessKeyId,
      secretAccessKey,
      jwtSecret: options.jwtSecret ?? DEV_JWT_SECRET,
      devMode: options.devMode ?? false,
      extra: options.functionEnvironment ?? {},
      authorizerExtra: options.authorizerEnvironment ?? {},
    };
    const modulePath = (name: string): string =>
      options.functionModules?.[name] ??
      (options.handlers === 'dist'
        ? join(options.distDir ?? join(ROOT, 'dist'), name, 'index.mjs')
        : join(ROOT, 'src', 'handlers', `${name}.ts`));
    const functions = new Map<string, LambdaFunction>();
    const functionFor = (name: string): LambdaFunction => {
      let fn = functions.get(name);
      if (!fn) {
        fn = new LambdaFunction(
          { name, modulePath: modulePath(name), environment: functionEnvironment(name, services) },
          {
            functionNamePrefix: `${environment}-websocket`,
            region,
            accountId: api.accountId,
            ...(options.functionTimeoutMs === undefined ? {} : { timeoutMs: options.functionTimeoutMs }),
            ...(options.maxSandboxesPerFunction === undefined ? {} : { maxSandboxes: options.maxSandboxesPerFunction }),
            ...(options.onLog ? { onLog: options.onLog } : {}),
          },
        );
        functions.set(name, fn);
      }
      return fn;
    };

    const routeTable = new Map<string, string>();
    for (const [routeKey, name] of Object.entries({ ...defaultRoutes(), ...options.routes })) {
      if (name) routeTable.set(routeKey, name);
    }
    const authorizerName = options.authorizer === undefined ? 'authorizer' : options.authorizer;
    if (authorizerName) routeTable.set('authorizer', authorizerName);
    const integrations: Integrations = {
      messageRouteKeys: new Set([...routeTable.keys()].filter((key) => !['authorizer', '$connect', '$disconnect'].includes(key))),
      has: (routeKey) => routeTable.has(routeKey),
      invoke: async (routeKey, event) => {
        const name = routeTable.get(routeKey) as string;
        const outcome = await functionFor(name).invoke(event);
        options.onInvoke?.({ routeKey, functionName: name, event, outcome });
        return outcome;
      },
    };

    const frontDoor = new WebSocketFrontDoor({
      api,
      registry,
      integrations,
      limits,
      fallbackDomainName: () => `localhost:${port}`,
      track,
    });
    server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => frontDoor.handleUpgrade(req, socket, head));
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const work = handleManagementRequest(req, res, { stage, registry, limits }).then(async (handled) => {
        if (handled || (await options.onHttpRequest?.(req, res))) return;
        const status = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/$/, '') === `/${stage}` ? 426 : 403;
        const body = status === 426 ? '{"message":"Upgrade Required"}' : '{"message":"Forbidden"}';
        res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
      });
      track(work.catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      }));
    });

    /** Closes what is open (handshakes still running open and get closed on a later round) until all is quiet. */
    const drain = async (timeoutMs: number, close: () => void): Promise<boolean> => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        close();
        if (registry.all().length === 0 && inFlight.size === 0) return true;
        await sleep(20);
      }
      return false;
    };

    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopping ??= (async () => {
        server.close();
        const goingAway = () => {
          for (const connection of registry.all()) {
            if (connection.state === 'open') registry.closeByServer(connection, GOING_AWAY);
          }
        };
        // Close handshakes, then $disconnect, pending posts and the frames received before the stop
        // finish before the functions stop (as on AWS, where a received frame's integration runs to its
        // end, bounded by the 29 s integration timeout); a client that never answers the close frame is cut off.
        if (!(await drain(2_000, goingAway))) {
          await drain(INTEGRATION_TIMEOUT_MS, () => {
            goingAway();
            for (const connection of registry.all()) connection.socket?.terminate();
          });
        }
        frontDoor.close();
        server.closeAllConnections();
        await Promise.all([...functions.values()].map((fn) => fn.stop()));
        await ownDynamoDb?.stop();
      })();
      return stopping;
    };

    return {
      url: `ws://${urlHost}:${port}/${stage}`,
      managementEndpoint,
      port,
      stage,
      environment,
      tables,
      dynamoDb: { endpoint: dynamoDbEndpoint, ...(ownDynamoDb ? { pid: ownDynamoDb.pid } : {}) },
      staleConnectionRowsCleared,
      stop,
    };
  } catch (error) {
    await ownDynamoDb?.stop();
    throw error;
  }
};

export type { LocalGateway, LocalGatewayOptions, InvocationRecord };
export { startLocalGateway };
