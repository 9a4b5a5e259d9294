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

type FrameAdmission =
  | { outcome: 'admitted'; expiresAt: number }
  | { outcome: 'limited'; retryAfterMs: number }
  | { outcome: 'unknown-connection' };

/** Where live connections are kept. Every read ignores rows whose `expiresAt` has passed. */
interface ConnectionStore {
  register(record: ConnectionRecord): Promise<void>;
  /** Idempotent: removing a missing connection is not an error. */
  remove(connectionId: string): Promise<void>;
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
