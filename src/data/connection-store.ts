import type { RateLimitPolicy } from '../config/app-config.ts';

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
  | { outcome: 'admitted'; closed: boolean }
  | { outcome: 'limited'; retryAfterMs: number }
  | { outcome: 'unknown-connection' };

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
  /** Idempotent: removing a missing connection is not an error. */
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
  countLive(userId: string, nowMs: number): Promise<number>;
  listLive(userId: string, nowMs: number): Promise<string[]>;
  /** The user's live connections, oldest first (by connectedAt, then connectionId). */
  listLiveByAge(userId: string, nowMs: number): Promise<string[]>;
  /** The fan-out's read: one Query, split into live recipients and ended rows to close. */
  listAudience(userId: string, nowMs: number): Promise<Audience>;
  /**
   * Takes one token from the connection's bucket, in one atomic conditional write. Admits frames from
   * a row that has not expired (a closed row within its grace included); the row's lifetime does not move.
   */
  admitFrame(connectionId: string, nowMs: number, policy: RateLimitPolicy): Promise<FrameAdmission>;
}

export type { Audience, ConnectionRecord, ConnectionStore, FrameAdmission };
export { CONNECT_GRACE_MS };
