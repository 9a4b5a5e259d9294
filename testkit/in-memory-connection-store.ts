import { toEpochSeconds } from '../src/domain/clock.ts';
import { closedRowExpiresAt, liveThreshold, rowLingerSeconds } from '../src/domain/connection-lifetime.ts';
import {
  type Audience,
  CONNECT_GRACE_MS,
  type ConnectAdmission,
  type ConnectionRecord,
  type ConnectionStore,
  type ConnectRequest,
  type FrameAdmission,
} from '../src/domain/connection-store.ts';
import type { RateLimitPolicy } from '../src/domain/policies.ts';

/**
 * A ConnectionStore in a Map, for middleware unit tests that are about something else than storage.
 * Rows live and end by the same rules as in DynamoDB (src/domain/connection-lifetime.ts).
 */
class InMemoryConnectionStore implements ConnectionStore {
  public readonly rows = new Map<string, ConnectionRecord>();
  public readonly removed: string[] = [];
  private readonly lingerSeconds: number;

  public constructor(idleTimeoutSeconds = 600) {
    this.lingerSeconds = rowLingerSeconds(idleTimeoutSeconds);
  }

  public async register(record: ConnectionRecord): Promise<void> {
    this.rows.set(record.connectionId, record);
  }

  public async remove(connectionId: string): Promise<void> {
    this.removed.push(connectionId);
    this.rows.delete(connectionId);
  }

  public async markDisconnected(connectionId: string, disconnectedAtMs: number): Promise<void> {
    const row = this.rows.get(connectionId);
    if (row) this.rows.set(connectionId, { ...row, disconnectedAt: disconnectedAtMs, expiresAt: closedRowExpiresAt(disconnectedAtMs) });
  }

  public async removeStale(connectionId: string, nowMs: number): Promise<boolean> {
    const row = this.rows.get(connectionId);
    if (!row || row.disconnectedAt !== undefined || row.connectedAt >= nowMs - CONNECT_GRACE_MS) return false;
    await this.remove(connectionId);
    return true;
  }

  /** No rate and no cap: admits every connect, each with a slot of its own. */
  public async admitConnect(request: ConnectRequest): Promise<ConnectAdmission> {
    return { outcome: 'admitted', slotKey: `slot#${request.userId}#${request.connectionId}` };
  }

  public async releaseSlot(): Promise<void> {}

  public async listLive(userId: string, nowMs: number): Promise<string[]> {
    const threshold = liveThreshold(nowMs, this.lingerSeconds);
    return [...this.rows.values()]
      .filter((row) => row.userId === userId && row.expiresAt > threshold)
      .sort((a, b) => a.connectedAt - b.connectedAt || (a.connectionId < b.connectionId ? -1 : 1))
      .map((row) => row.connectionId);
  }

  public async listAudience(userId: string, nowMs: number): Promise<Audience> {
    const threshold = liveThreshold(nowMs, this.lingerSeconds);
    const audience: Audience = { live: [], ended: [] };
    for (const row of this.rows.values()) {
      if (row.userId !== userId || row.expiresAt <= toEpochSeconds(nowMs)) continue;
      (row.expiresAt > threshold ? audience.live : audience.ended).push(row.connectionId);
    }
    return audience;
  }

  public async admitFrame(connectionId: string, _userId: string, nowMs: number, _policy: RateLimitPolicy): Promise<FrameAdmission> {
    const row = this.rows.get(connectionId);
    return row && row.expiresAt > toEpochSeconds(nowMs) ? { outcome: 'admitted', closed: row.disconnectedAt !== undefined } : { outcome: 'unknown-connection' };
  }

  /** Refusals are not counted here: always the first of its window. */
  public async countRefusal(connectionId: string): Promise<number | undefined> {
    return this.rows.has(connectionId) ? 1 : undefined;
  }
}

export { InMemoryConnectionStore };
