import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj, Request } from '@middy/core';
import { createError } from '@middy/util';
import { DEFAULTS } from '../config/app-config.ts';
import type { ConnectionPolicy } from '../domain/policies.ts';
import type { ConnectAdmission, ConnectionStore } from '../domain/connection-store.ts';
import { type Clock, toEpochSeconds } from '../domain/clock.ts';
import { MetricName } from '../observability/metric-names.ts';
import { extendContext } from './extend-context.ts';
import { isThrottling, THROTTLED_RETRY_AFTER_MS } from './rate-limit.ts';
import type { AuthenticatedUser, RouteContext, WebSocketEvent } from './route-types.ts';

interface ConnectionCapOptions {
  connections: ConnectionStore;
  policy: ConnectionPolicy;
  clock: Clock;
  metrics: Metrics;
}

type CapRequest = Request<WebSocketEvent<unknown>, unknown, Error, RouteContext>;

/**
 * When the slot of a connection that never gets `$disconnect` frees itself: API Gateway's maximum
 * connection lifetime (2 h), or the token's expiry when that comes first (the connection lives no
 * longer than its token). Never in the past, so a slot always outlives its own `$connect`.
 */
const slotExpiry = (nowMs: number, auth: AuthenticatedUser): number => {
  const nowSeconds = toEpochSeconds(nowMs);
  const lifetimeEnds = nowSeconds + DEFAULTS.maxConnectionLifetimeSeconds;
  const tokenEnds = auth.tokenExpiresAt === undefined ? lifetimeEnds : Math.ceil(auth.tokenExpiresAt);
  return Math.max(nowSeconds + 1, Math.min(lifetimeEnds, tokenEnds));
};

/**
 * At $connect, per user: a connect rate (a token bucket of handshakes, so a connect flood gets 429
 * however the connections come and go) and an exact cap on live connections (slot items taken with
 * conditional writes, see connection-slots.ts). Both are settled before the route registers the
 * connection, so a refused handshake writes no connection row. A connection that stays is counted
 * as ConnectionOpened here; a refusal is counted as ConnectionRefused by the handshake errors.
 */
const connectionCap = (opts: ConnectionCapOptions): MiddlewareObj<WebSocketEvent<unknown>, unknown, Error, RouteContext> => {
  const { connections, policy, clock, metrics } = opts;
  const max = policy.maxConnectionsPerUser;

  const refuse = (admission: Exclude<ConnectAdmission, { outcome: 'admitted' }>) => {
    if (admission.outcome === 'full') {
      return createError(429, `Too many connections: at most ${max} per user`, {
        cause: { package: 'connection-cap', data: { max } },
      });
    }
    const { retryAfterMs } = admission;
    const error = createError(429, `Too many connection attempts; retry after ${retryAfterMs} ms`, {
      cause: { package: 'connection-cap', data: { retryAfterMs } },
    });
    return Object.assign(error, { headers: { 'Retry-After': String(Math.ceil(retryAfterMs / 1000)) } });
  };

  const connectionCapBefore = async (request: CapRequest) => {
    const nowMs = clock.nowMs();
    const { auth } = request.context;
    const admission = await connections
      .admitConnect({
        userId: auth.userId,
        connectionId: request.event.requestContext.connectionId,
        nowMs,
        connectRate: policy.connectRate,
        maxConnections: max,
        slotExpiresAt: slotExpiry(nowMs, auth),
      })
      .catch((error: unknown): ConnectAdmission => {
        // Fail closed: DynamoDB throttling the limiter's own writes refuses the handshake as a 429.
        if (!isThrottling(error)) throw error;
        return { outcome: 'rate-limited', retryAfterMs: THROTTLED_RETRY_AFTER_MS };
      });
    if (admission.outcome !== 'admitted') throw refuse(admission);
    extendContext(request, { connectionSlot: admission.slotKey });
  };

  // The connection did not open after all: give its slot back (else it frees once its missing row is noticed).
  const releaseSlot = async (request: CapRequest) => {
    const slot = request.context.connectionSlot;
    if (slot !== undefined) await connections.releaseSlot(slot, request.event.requestContext.connectionId).catch(() => undefined);
  };

  const connectionCapAfter = async (request: CapRequest) => {
    if ((request.response as { statusCode?: number } | undefined)?.statusCode !== 200) return releaseSlot(request);
    metrics.addMetric(MetricName.ConnectionOpened, 'Count', 1);
    return undefined;
  };

  return { before: connectionCapBefore, after: connectionCapAfter, onError: releaseSlot };
};

export { connectionCap, slotExpiry };
