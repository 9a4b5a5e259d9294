/**
 * The local gateway set up for load: the rate limit raised so the bucket does not shape the run,
 * logs dropped, and the live connections followed from the `$connect` / `$disconnect` invocations
 * so the dropper can pick one at random.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FUNCTION_NAMES } from '../../src/config/function-manifest.ts';
import { type LocalGateway, startLocalGateway } from '../../src/local/gateway/gateway.ts';

/** What the load raises for every function: a bucket no client reaches, so nothing is refused for pace. */
const LOAD_FUNCTION_ENVIRONMENT: Record<string, string> = {
  RATE_LIMIT_BURST: '1000',
  RATE_LIMIT_PER_SECOND: '100',
  MAX_CONNECTIONS_PER_USER: '5',
  POWERTOOLS_LOG_LEVEL: 'WARN',
};

interface LoadGatewayOptions {
  /** Names the tables (`{env}-chatbot-*`). */
  environment: string;
  /** `dist` when the build exists (as in CI and `npm run soak`), else `source`. @default 'auto' */
  handlers?: 'source' | 'dist' | 'auto';
  /** Concurrent sandboxes per function. @default 4 (the gateway's default) */
  maxSandboxesPerFunction?: number;
  /** A DynamoDB (Local) endpoint. @default process.env.AWS_ENDPOINT_URL_DYNAMODB */
  dynamoDbEndpoint?: string;
  /** Added to (and overriding) LOAD_FUNCTION_ENVIRONMENT. */
  functionEnvironment?: Record<string, string>;
}

interface LoadGateway {
  gateway: LocalGateway;
  handlers: 'source' | 'dist';
  functionEnvironment: Record<string, string>;
  /** Connections whose `$connect` succeeded and whose `$disconnect` has not run. */
  liveConnections(): string[];
  /** Invocations so far by route, with the functions' own time and the time spent waiting for a sandbox. */
  invocations(): Record<string, RouteFigures>;
}

interface RouteFigures {
  count: number;
  failed: number;
  meanDurationMs: number;
  meanWaitMs: number;
}

const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');

const distBuilt = (): boolean => FUNCTION_NAMES.every((name) => existsSync(join(DIST, name, 'index.mjs')));

const connectionIdOf = (event: unknown): string | undefined => (event as { requestContext?: { connectionId?: string } } | undefined)?.requestContext?.connectionId;

/**
 * @example
 * const { gateway, liveConnections } = await startLoadGateway({ environment: 'tload1234' });
 * await gateway.stop();
 */
const startLoadGateway = async (options: LoadGatewayOptions): Promise<LoadGateway> => {
  const requested = options.handlers ?? 'auto';
  const handlers = requested === 'auto' ? (distBuilt() ? 'dist' : 'source') : requested;
  const functionEnvironment = { ...LOAD_FUNCTION_ENVIRONMENT, ...options.functionEnvironment };
  const live = new Set<string>();
  const routes = new Map<string, { count: number; failed: number; durationMs: number; waitMs: number }>();
  const gateway = await startLocalGateway({
    port: 0,
    environment: options.environment,
    handlers,
    functionEnvironment,
    ...(options.dynamoDbEndpoint === undefined ? {} : { dynamoDbEndpoint: options.dynamoDbEndpoint }),
    ...(options.maxSandboxesPerFunction === undefined ? {} : { maxSandboxesPerFunction: options.maxSandboxesPerFunction }),
    onLog: () => {},
    onInvoke: (record) => {
      const route = routes.get(record.routeKey) ?? { count: 0, failed: 0, durationMs: 0, waitMs: 0 };
      route.count += 1;
      if (!record.outcome.ok) route.failed += 1;
      route.durationMs += record.outcome.durationMs ?? 0;
      route.waitMs += record.outcome.waitMs ?? 0;
      routes.set(record.routeKey, route);
      const connectionId = connectionIdOf(record.event);
      if (!connectionId) return;
      if (record.routeKey === '$connect') {
        // As the gateway reads it: no statusCode is 200; anything outside 2xx refused the handshake.
        const status = record.outcome.ok ? Number((record.outcome.result as { statusCode?: unknown } | null)?.statusCode ?? 200) : 500;
        if (status >= 200 && status < 300) live.add(connectionId);
      } else if (record.routeKey === '$disconnect') {
        live.delete(connectionId);
      }
    },
  });
  const invocations = () =>
    Object.fromEntries(
      [...routes].map(([routeKey, route]) => [
        routeKey,
        {
          count: route.count,
          failed: route.failed,
          meanDurationMs: Math.round(route.durationMs / route.count),
          meanWaitMs: Math.round(route.waitMs / route.count),
        },
      ]),
    );
  return { gateway, handlers, functionEnvironment, liveConnections: () => [...live], invocations };
};

export type { LoadGateway, LoadGatewayOptions, RouteFigures };
export { LOAD_FUNCTION_ENVIRONMENT, startLoadGateway };
