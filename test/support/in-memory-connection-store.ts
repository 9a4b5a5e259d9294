import type { RateLimitPolicy } from '../../src/config/app-config.ts';
import {
  CONNECT_GRACE_MS,
  type ConnectAdmission,
  type ConnectionRecord,
  type ConnectionStore,
  type ConnectRequest,
  type FrameAdmission,
} from '../../src/data/connection-store.ts';

/** A ConnectionStore in a Map, for middleware unit tests that are about something else than storage. */
class InMemoryConnectionStore implements ConnectionStore {
  public readonly rows = new Map<string, ConnectionRecord>();
  public readonly removed: string[] = [];

  public async register(record: ConnectionRecord): Promise<void> {
    this.rows.set(record.connectionId, record);
  }

  public async remove(connectionId: string): Promise<void> {
    this.removed.push(connectionId);
    this.rows.delete(connectionId);
  }

  public async removeStale(connectionId: string, nowMs: number): Promise<boolean> {
    const row = this.rows.get(connectionId);
    if (!row || row.connectedAt >= nowMs - CONNECT_GRACE_MS) return false;
    await this.remove(connectionId);
    return true;
  }

  public async listLive(userId: string, nowMs: number): Promise<string[]> {
    return [...this.rows.values()].filter((row) => row.userId === userId && row.expiresAt * 1000 > nowMs).map((row) => row.connectionId);
  }

  /** No rate and no cap: admits every connect, each with a slot of its own. */
  public async admitConnect(request: ConnectRequest): Promise<ConnectAdmission> {
    return { outcome: 'admitted', slotKey: `slot#${request.userId}#${request.connectionId}` };
  }

  public async releaseSlot(): Promise<void> {}

  public async admitFrame(connectionId: string, _userId: string, _nowMs: number, _policy: RateLimitPolicy): Promise<FrameAdmission> {
    const row = this.rows.get(connectionId);
    return row ? { outcome: 'admitted', expiresAt: row.expiresAt } : { outcome: 'unknown-connection' };
  }

  /** Refusals are not counted here: always the first of its window. */
  public async countRefusal(connectionId: string): Promise<number | undefined> {
    return this.rows.has(connectionId) ? 1 : undefined;
  }
}

export { InMemoryConnectionStore };
