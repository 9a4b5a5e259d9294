import type { RateLimitPolicy } from '../config/app-config.ts';

interface ConnectionRecord {
  connectionId: string;
  userId: string;
  /** epoch ms */
  connectedAt: number;
  /** epoch ms */
  lastSeenAt: number;
  /** epoch seconds; the TTL attribute */
  expiresAt: number;
}

/**
 * How long after registering a connection may still be inside `$connect`: API Gateway answers 410 to
 * a post to such a connection although it is about to open, and its integration timeout (29 s)
 * bounds how long `$connect` can run after the row was written.
 */
const CONNECT_GRACE_MS = 30_000;

type FrameAdmission =
  | { outcome: 'admitted'; expiresAt: number }
  | { outcome: 'limited'; retryAfterMs: number }
  | { outcome: 'unknown-connection' };

/** Where live connections are kept. Every read ignores rows whose `expiresAt` has passed. */
interface ConnectionStore {
  register(record: ConnectionRecord): Promise<void>;
  /** Idempotent: removing a missing connection is not an error. */
  remove(connectionId: string): Promise<void>;
  /**
   * Removes a connection a post found gone (410), unless it registered less than CONNECT_GRACE_MS
   * before `nowMs` (it may still be inside `$connect`). True when a row was removed.
   */
  removeStale(connectionId: string, nowMs: number): Promise<boolean>;
  countLive(userId: string, nowMs: number): Promise<number>;
  listLive(userId: string, nowMs: number): Promise<string[]>;
  /** The user's live connections, oldest first (by connectedAt, then connectionId). */
  listLiveByAge(userId: string, nowMs: number): Promise<string[]>;
  /**
   * Takes one token from the connection's bucket and pushes its idle expiry to now + idle timeout,
   * in one atomic conditional write.
   */
  admitFrame(connectionId: string, nowMs: number, policy: RateLimitPolicy): Promise<FrameAdmission>;
}

export type { ConnectionRecord, ConnectionStore, FrameAdmission };
export { CONNECT_GRACE_MS };
