import type { BucketAdmission, RateLimitPolicy } from './policies.ts';

interface ConnectionRecord {
  connectionId: string;
  userId: string;
  /** epoch ms */
  connectedAt: number;
  /** epoch ms */
  lastSeenAt: number;
  /**
   * epoch seconds; the TTL attribute. Open: the connection's end (min(accepted + 2 h, token exp)) plus
   * the linger; closed: the close plus a short grace (src/domain/connection-lifetime.ts).
   */
  expiresAt: number;
  /** The per-user cap's slot item this connection holds; removing or closing the connection frees it. */
  slotKey?: string;
  /** epoch ms; set by `$disconnect`: the row only admits frames sent before the close, for a short grace. */
  disconnectedAt?: number;
}

/**
 * How long after registering a connection may still be inside `$connect`: API Gateway answers 410 to
 * a post to such a connection although it is about to open, and its integration timeout (29 s)
 * bounds how long `$connect` can run after the row was written.
 */
const CONNECT_GRACE_MS = 30_000;

type FrameAdmission =
  /** `closed`: the frame was sent before its connection closed; it is processed, nothing is posted to it. */
  { outcome: 'admitted'; closed: boolean } | { outcome: 'limited'; retryAfterMs: number } | { outcome: 'unknown-connection' };

type ConnectAdmission = { outcome: 'admitted'; slotKey: string } | { outcome: 'rate-limited'; retryAfterMs: number } | { outcome: 'full' };

interface ConnectRequest {
  userId: string;
  connectionId: string;
  nowMs: number;
  connectRate: RateLimitPolicy;
  maxConnections: number;
  /** epoch seconds: when the slot frees itself if the connection is never removed */
  slotExpiresAt: number;
}

/** A user's rows as a fan-out sees them. */
interface Audience {
  /** Open connections before their end: the recipients. */
  live: string[];
  /**
   * Rows past their end (token expired, 2 h reached) or closed within the grace: no recipients. Those
   * still open on the gateway are closed by the fan-out; the others answer 410, which is expected.
   */
  ended: string[];
}

/** Where live connections are kept. Reads count only live rows (connection-lifetime.ts), whatever TTL has deleted yet. */
interface ConnectionStore {
  register(record: ConnectionRecord): Promise<void>;
  /** Idempotent: removing a missing connection is not an error. Frees the cap slot the connection held. */
  remove(connectionId: string): Promise<void>;
  /**
   * `$disconnect`: marks the row closed (no recipient, not counted) and keeps it for a short grace, so
   * frames received before the close are still processed. Idempotent; a missing row is not an error.
   */
  markDisconnected(connectionId: string, disconnectedAtMs: number): Promise<void>;
  /**
   * Removes a connection a post found gone (410), unless it registered less than CONNECT_GRACE_MS
   * before `nowMs` (it may still be inside `$connect`) or is already marked closed (its grace runs
   * out by itself). True when a row was removed.
   */
  removeStale(connectionId: string, nowMs: number): Promise<boolean>;
  listLive(userId: string, nowMs: number): Promise<string[]>;
  /** The fan-out's read: one Query, split into live recipients and ended rows to close. */
  listAudience(userId: string, nowMs: number): Promise<Audience>;
  /**
   * At `$connect`: takes a token from the user's connect bucket, then one of the user's
   * `maxConnections` cap slots for the connection. Nothing is taken when the answer is not admitted.
   */
  admitConnect(request: ConnectRequest): Promise<ConnectAdmission>;
  /** Frees a slot `admitConnect` gave, when the connect fails after it (the connection never opened). */
  releaseSlot(slotKey: string, connectionId: string): Promise<void>;
  /**
   * Takes one token from the user's frame bucket and checks the connection's row, in parallel (one
   * round trip). Admits frames from a row that has not expired (a closed row within its grace
   * included, reported as `closed`); the row's lifetime does not move. `unknown-connection` when the
   * connection has no unexpired row.
   */
  admitFrame(connectionId: string, userId: string, nowMs: number, policy: RateLimitPolicy): Promise<FrameAdmission>;
  /**
   * Counts one refused frame on the connection's row, in a window of `windowSeconds` that starts
   * with the first refusal. Returns the refusals in the current window, or undefined when the
   * connection has no row.
   */
  countRefusal(connectionId: string, nowMs: number, windowSeconds: number): Promise<number | undefined>;
}

export type { Audience, BucketAdmission, ConnectAdmission, ConnectionRecord, ConnectionStore, ConnectRequest, FrameAdmission };
export { CONNECT_GRACE_MS };
