import type { RouteFunctionName } from '../config/function-manifest.ts';
import type { RouteEntry } from '../middleware/route-chain.ts';
import { buildCancel, buildConnect, buildDefault, buildDisconnect, buildHistory, buildMessage, buildPing, type RouteAdapters, type RoutePolicies } from './route-builders.ts';

/** Every route function's chain, keyed by its name in the function manifest. */
type RouteEntries = Record<RouteFunctionName, RouteEntry>;

/**
 * Every route function's chain from one set of adapters: what tests, the fuzz and soak scripts and the
 * benchmarks run (with in-memory, faulty or DynamoDB Local adapters). Deployed functions build only
 * their own chain (src/handlers/<name>.ts) from the same builders.
 * @example const routes = createRoutes(adapters, policies); await routes.ping(event, context);
 */
const createRoutes = (adapters: RouteAdapters, policies: RoutePolicies): RouteEntries => ({
  connect: buildConnect(adapters, policies),
  disconnect: buildDisconnect(adapters),
  message: buildMessage(adapters, policies),
  ping: buildPing(adapters, policies),
  history: buildHistory(adapters, policies),
  default: buildDefault(adapters, policies),
  cancel: buildCancel(adapters, policies),
});

export type { RouteAdapters, RouteEntries, RoutePolicies };
export { createRoutes };
