/**
 * The limits the routes enforce, as the domain sees them. Where their values come from (the
 * environment, with defaults and bounds) is src/config/app-config.ts's business.
 */

/** A token bucket: `burst` tokens at most, refilled at `perSecond`. */
interface RateLimitPolicy {
  burst: number;
  perSecond: number;
}

interface ConnectionPolicy {
  idleTimeoutSeconds: number;
  maxConnectionsPerUser: number;
  /** Per user: handshakes a user may open at once (burst) and how fast that allowance refills. */
  connectRate: RateLimitPolicy;
}

/** A connection that is refused `maxRefusals` frames within one `windowSeconds` window is closed. */
interface RefusalPolicy {
  maxRefusals: number;
  windowSeconds: number;
}

/** What a token bucket answers when asked for one token. */
type BucketAdmission = { outcome: 'admitted' } | { outcome: 'limited'; retryAfterMs: number };

export type { BucketAdmission, ConnectionPolicy, RateLimitPolicy, RefusalPolicy };
