import type { Metrics } from '@aws-lambda-powertools/metrics';
import { DEFAULTS } from '../config/app-config.ts';
import { type Clock, toEpochSeconds } from '../domain/clock.ts';
import type { ConnectAdmission, ConnectionStore } from '../domain/connection-store.ts';
import { ConnectionLimitError, ConnectRateLimitedError } from '../domain/errors.ts';
import type { ConnectionPolicy } from '../domain/policies.ts';
import { MetricName } from '../observability/metric-names.ts';
import { extendContext } from './extend-context.ts';
import { isThrottling, THROTTLED_RETRY_AFTER_MS } from './rate-limit.ts';
import type { Authenticated, AuthenticatedUser, RouteMiddleware, RouteRequest, WithConnectionSlot } from './route-types.ts';

interface ConnectionCapOptions {
  connections: ConnectionStore;
  policy: ConnectionPolicy;
  clock: Clock;
  metrics: Metrics;
}

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
const connectionCap = (opts: ConnectionCapOptions): RouteMiddleware<Authenticated, WithConnectionSlot> => {
  const { connections, policy, clock, metrics } = opts;
  const max = policy.maxConnectionsPerUser;

  const refuse = (admission: Exclude<ConnectAdmission, { outcome: 'admitted' }>) =>
    admission.outcome === 'full' ? new ConnectionLimitError(max) : new ConnectRateLimitedError(admission.retryAfterMs);

  const connectionCapBefore = async (request: RouteRequest<Authenticated & WithConnectionSlot>) => {
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
  // Before the cap ran (or when it refused), the context has no slot: there is nothing to give back.
  const releaseSlot = async (request: RouteRequest<Authenticated & WithConnectionSlot>) => {
    if (!('connectionSlot' in request.context)) return;
    await connections.releaseSlot(request.context.connectionSlot, request.event.requestContext.connectionId).catch(() => undefined);
  };

  const connectionCapAfter = async (request: RouteRequest<Authenticated & WithConnectionSlot>) => {
    if (request.response?.statusCode !== 200) return releaseSlot(request);
    metrics.addMetric(MetricName.ConnectionOpened, 'Count', 1);
    return undefined;
  };

  return { adds: ['connectionSlot'], before: connectionCapBefore, after: connectionCapAfter, onError: releaseSlot };
};

export { connectionCap, slotExpiry };
