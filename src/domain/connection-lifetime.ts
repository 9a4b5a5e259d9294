import { toEpochSeconds } from './clock.ts';

/**
 * How long a connection row lives, and when it stops being a recipient. API Gateway resets its
 * 10-minute idle timeout on data in either direction (a client frame or an `@connections` post), so a
 * listen-only connection that keeps receiving stays open: the row cannot follow the idle clock, which
 * only the gateway sees. It follows the connection's hard bounds instead:
 *
 * - a connection *ends* at min(accepted + 2 h, token `exp`): API Gateway closes it at 2 h, and the
 *   server at the token's expiry;
 * - an open row's `expiresAt` (the TTL attribute) is that end plus the linger: past its end the row is
 *   no recipient, but it stays findable so a fan-out can close a connection the gateway still holds
 *   (an expired token's connection stays open until it idles out, sends a frame, or is closed);
 * - `$disconnect` marks the row closed and sets `expiresAt` to the close plus CLOSED_ROW_GRACE_SECONDS,
 *   so frames the gateway received before the close are still admitted when their function runs.
 *
 * A row is live (a recipient, counted by the cap) while `expiresAt > now + linger`, i.e. while its end
 * is ahead; since the linger exceeds the grace, a closed row is never live.
 */

/** API Gateway's fixed quota: a WebSocket connection lasts at most 2 hours. */
const MAX_CONNECTION_SECONDS = 2 * 60 * 60;

/**
 * After `$disconnect`, how long frames from the closed connection are still admitted: API Gateway
 * invokes a frame's integration within its 29 s timeout of receiving it, plus margin for clocks.
 */
const CLOSED_ROW_GRACE_SECONDS = 60;

/**
 * How long a row stays findable after its connection's end: the idle timeout, and never under twice
 * the grace, so a closed row stays below the live threshold even when the clocks of two functions differ.
 */
const rowLingerSeconds = (idleTimeoutSeconds: number): number => Math.max(idleTimeoutSeconds, 2 * CLOSED_ROW_GRACE_SECONDS);

/**
 * When the connection ends at the latest (epoch seconds): 2 hours after API Gateway accepted it, or
 * the token's `exp` when that comes first.
 * @example connectionEndsAt(Date.parse('2026-01-01T00:00:00Z'), undefined) // 1767232800 (2 h later)
 */
const connectionEndsAt = (connectedAtMs: number, tokenExpiresAt: number | undefined): number => {
  const byDuration = toEpochSeconds(connectedAtMs) + MAX_CONNECTION_SECONDS;
  return tokenExpiresAt === undefined || !Number.isFinite(tokenExpiresAt) ? byDuration : Math.min(byDuration, tokenExpiresAt);
};

/** `expiresAt` of an open connection's row. */
const openRowExpiresAt = (endsAt: number, lingerSeconds: number): number => endsAt + lingerSeconds;

/** `expiresAt` of a row whose connection closed at `closedAtMs`. */
const closedRowExpiresAt = (closedAtMs: number): number => toEpochSeconds(closedAtMs) + CLOSED_ROW_GRACE_SECONDS;

/** Rows with `expiresAt` above this are live (recipients); rows at or below it have ended or closed. */
const liveThreshold = (nowMs: number, lingerSeconds: number): number => toEpochSeconds(nowMs) + lingerSeconds;

export { CLOSED_ROW_GRACE_SECONDS, closedRowExpiresAt, connectionEndsAt, liveThreshold, MAX_CONNECTION_SECONDS, openRowExpiresAt, rowLingerSeconds };
