import type { RateLimitPolicy } from '../../src/config/app-config.ts';
import { CONNECT_GRACE_MS, type ConnectionRecord, type ConnectionStore, type FrameAdmission } from '../../src/data/connection-store.ts';

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

  public async countLive(userId: string, nowMs: number): Promise<number> {
    return (await this.listLive(userId, nowMs)).length;
  }

  public async listLive(userId: string, nowMs: number): Promise<string[]> {
    return [...this.rows.values()].filter((row) => row.userId === userId && row.expiresAt * 1000 > nowMs).map((row) => row.connectionId);
  }

  public async listLiveByAge(userId: string, nowMs: number): Promise<string[]> {
    return [...this.rows.values()]
      .filter((row) => row.userId === userId && row.expiresAt * 1000 > nowMs)
      .sort((a, b) => a.connectedAt - b.connectedAt || (a.connectionId < b.connectionId ? -1 : 1))
      .map((row) => row.connectionId);
  }

  public async admitFrame(connectionId: string, _nowMs: number, _policy: RateLimitPolicy): Promise<FrameAdmission> {
    const row = this.rows.get(connectionId);
    return row ? { outcome: 'admitted', expiresAt: row.expiresAt } : { outcome: 'unknown-connection' };
  }
}

export { InMemoryConnectionStore };
