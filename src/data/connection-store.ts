import type { RateLimitPolicy } from '../config/app-config.ts';
import type { BucketAdmission } from './gcra-bucket.ts';

interface ConnectionRecord {
  connectionId: string;
  userId: string;
  /** epoch ms */
  connectedAt: number;
  /** epoch ms */
  lastSeenAt: number;
  /** epoch seconds; the TTL attribute */
  expiresAt: number;
  /** The per-user cap's slot item this connection holds; removing the connection frees it. */
  slotKey?: string;
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

type ConnectAdmission =
  | { outcome: 'admitted'; slotKey: string }
  | { outcome: 'rate-limited'; retryAfterMs: number }
  | { outcome: 'full' };

interface ConnectRequest {
  userId: string;
  connectionId: string;
  nowMs: number;
  connectRate: RateLimitPolicy;
  maxConnections: number;
  /** epoch seconds: when the slot frees itself if the connection is never removed */
  slotExpiresAt: number;
}

/** Where live connections are kept. Every read ignores rows whose `expiresAt` has passed. */
interface ConnectionStore {
  register(record: ConnectionRecord): Promise<void>;
  /** Idempotent: removing a missing connection is not an error. Frees the cap slot the connection held. */
  remove(connectionId: string): Promise<void>;
  /**
   * Removes a connection a post found gone (410), unless it registered less than CONNECT_GRACE_MS
   * before `nowMs` (it may still be inside `$connect`). True when a row was removed.
   */
  removeStale(connectionId: string, nowMs: number): Promise<boolean>;
  listLive(userId: string, nowMs: number): Promise<string[]>;
  /**
   * At `$connect`: takes a token from the user's connect bucket, then one of the user's
   * `maxConnections` cap slots for the connection. Nothing is taken when the answer is not admitted.
   */
  admitConnect(request: ConnectRequest): Promise<ConnectAdmission>;
  /** Frees a slot `admitConnect` gave, when the connect fails after it (the connection never opened). */
  releaseSlot(slotKey: string, connectionId: string): Promise<void>;
  /**
   * Takes one token from the user's frame bucket and pushes the connection's idle expiry to now +
   * idle timeout; `unknown-connection` when the connection has no live row.
   */
  admitFrame(connectionId: string, userId: string, nowMs: number, policy: RateLimitPolicy): Promise<FrameAdmission>;
  /**
   * Counts one refused frame on the connection's row, in a window of `windowSeconds` that starts
   * with the first refusal. Returns the refusals in the current window, or undefined when the
   * connection has no row.
   */
  countRefusal(connectionId: string, nowMs: number, windowSeconds: number): Promise<number | undefined>;
}

export type { ConnectionRecord, ConnectionStore, FrameAdmission, ConnectAdmission, ConnectRequest, BucketAdmission };
export { CONNECT_GRACE_MS };
