import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { RateLimitPolicy } from '../config/app-config.ts';
import { toEpochSeconds } from '../domain/clock.ts';
import { closedRowExpiresAt, liveThreshold, rowLingerSeconds } from '../domain/connection-lifetime.ts';
import { type Audience, CONNECT_GRACE_MS, type ConnectionRecord, type ConnectionStore, type FrameAdmission } from './connection-store.ts';
import { USER_ID_INDEX } from './table-definitions.ts';

/** Attempts at the two-branch bucket update before a contended frame is refused. */
const MAX_ADMISSION_ATTEMPTS = 4;

interface BucketState {
  exists: boolean;
  live: boolean;
  /** GCRA "theoretical arrival time", epoch ms */
  rateTat?: number;
}

/**
 * Connections in DynamoDB. The rate limiter is GCRA (a token bucket expressed as one timestamp), so
 * each frame is one conditional UpdateItem; concurrent frames on one connection are serialised by
 * DynamoDB's condition check, never by a read-modify-write. A row's lifetime is set at `$connect` and
 * `$disconnect` only (src/domain/connection-lifetime.ts).
 */
class DynamoConnectionStore implements ConnectionStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly lingerSeconds: number;

  public constructor(client: DynamoDBDocumentClient, tableName: string, idleTimeoutSeconds: number) {
    this.client = client;
    this.tableName = tableName;
    this.lingerSeconds = rowLingerSeconds(idleTimeoutSeconds);
  }

  public async register(record: ConnectionRecord): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: record }));
  }

  public async remove(connectionId: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { connectionId } }));
  }

  public async markDisconnected(connectionId: string, disconnectedAtMs: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { connectionId },
          UpdateExpression: 'SET disconnectedAt = :disconnectedAt, expiresAt = :expiresAt',
          // Never creates a row: a connection whose row is gone (backed out of the cap, removed as stale) stays gone.
          ConditionExpression: 'attribute_exists(connectionId)',
          ExpressionAttributeValues: { ':disconnectedAt': disconnectedAtMs, ':expiresAt': closedRowExpiresAt(disconnectedAtMs) },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  public async removeStale(connectionId: string, nowMs: number): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { connectionId },
          // A closed row answers 410 by definition; it is kept for its grace so frames sent before the close still count.
          ConditionExpression: 'connectedAt < :registeredBefore AND attribute_not_exists(disconnectedAt)',
          ExpressionAttributeValues: { ':registeredBefore': nowMs - CONNECT_GRACE_MS },
        }),
      );
      return true;
    } catch (error) {
      // Missing, closed, or too young to be judged gone: either way there is nothing to remove.
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  public async countLive(userId: string, nowMs: number): Promise<number> {
    return (await this.queryLive(userId, nowMs)).length;
  }

  public async listLive(userId: string, nowMs: number): Promise<string[]> {
    return (await this.queryLive(userId, nowMs)).map((row) => row.connectionId);
  }

  public async listLiveByAge(userId: string, nowMs: number): Promise<string[]> {
    return (await this.queryLive(userId, nowMs))
      .sort((a, b) => a.connectedAt - b.connectedAt || (a.connectionId < b.connectionId ? -1 : 1))
      .map((row) => row.connectionId);
  }

  public async listAudience(userId: string, nowMs: number): Promise<Audience> {
    const threshold = liveThreshold(nowMs, this.lingerSeconds);
    const audience: Audience = { live: [], ended: [] };
    // Unexpired rows, live or not: the Query reads the same items either way, and the ended ones are needed.
    for (const row of await this.queryUser(userId, toEpochSeconds(nowMs))) {
      (row.expiresAt > threshold ? audience.live : audience.ended).push(row.connectionId);
    }
    return audience;
  }

  public async admitFrame(connectionId: string, nowMs: number, policy: RateLimitPolicy): Promise<FrameAdmission> {
    const intervalMs = 1000 / policy.perSecond;
    const limit = nowMs + (policy.burst - 1) * intervalMs;
    // Most chat frames arrive after the bucket has refilled, so the "refilled" branch goes first.
    let branch: 'refilled' | 'draining' = 'refilled';
    for (let attempt = 0; attempt < MAX_ADMISSION_ATTEMPTS; attempt += 1) {
      const state: Admitted | BucketState = branch === 'refilled'
        ? await this.tryRefilled(connectionId, nowMs, intervalMs)
        : await this.tryDraining(connectionId, nowMs, limit, intervalMs);
      if ('outcome' in state) return state;
      if (!state.exists || !state.live) return { outcome: 'unknown-connection' };
      const tat: number = state.rateTat ?? 0;
      if (tat > limit) return { outcome: 'limited', retryAfterMs: Math.ceil(tat - limit) };
      branch = tat < nowMs ? 'refilled' : 'draining';
    }
    return { outcome: 'limited', retryAfterMs: Math.ceil(intervalMs) };
  }

  private async tryRefilled(connectionId: string, nowMs: number, intervalMs: number) {
    return this.conditionalUpdate({
      Key: { connectionId },
      UpdateExpression: 'SET rateTat = :next, lastSeenAt = :now',
      ConditionExpression:
        'attribute_exists(connectionId) AND expiresAt > :nowSeconds AND (attribute_not_exists(rateTat) OR rateTat < :now)',
      ExpressionAttributeValues: {
        ':next': nowMs + intervalMs,
        ':now': nowMs,
        ':nowSeconds': toEpochSeconds(nowMs),
      },
    }, nowMs);
  }

  private async tryDraining(connectionId: string, nowMs: number, limit: number, intervalMs: number) {
    return this.conditionalUpdate({
      Key: { connectionId },
      UpdateExpression: 'SET rateTat = rateTat + :interval, lastSeenAt = :now',
      ConditionExpression: 'expiresAt > :nowSeconds AND rateTat BETWEEN :now AND :limit',
      ExpressionAttributeValues: {
        ':interval': intervalMs,
        ':now': nowMs,
        ':limit': limit,
        ':nowSeconds': toEpochSeconds(nowMs),
      },
    }, nowMs);
  }

  /** Runs one conditional update; on a failed condition returns the item as it was. */
  private async conditionalUpdate(
    input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>,
    nowMs: number,
  ): Promise<Admitted | BucketState> {
    try {
      // ALL_NEW tells whether the row is marked closed, at no extra round trip.
      const { Attributes } = await this.client.send(
        new UpdateCommand({ ...input, TableName: this.tableName, ReturnValues: 'ALL_NEW', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
      );
      return { outcome: 'admitted', closed: Attributes?.disconnectedAt !== undefined };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // ALL_OLD returns the item whenever it exists, so no Item means no row (the roles have no GetItem).
      return toBucketState(error.Item ? unmarshall(error.Item) : undefined, nowMs);
    }
  }

  /** Live rows: open connections before their end (connection-lifetime.ts). */
  private async queryLive(userId: string, nowMs: number): Promise<IndexedRow[]> {
    return this.queryUser(userId, liveThreshold(nowMs, this.lingerSeconds));
  }

  /** The user's rows on the index with `expiresAt` above `expiresAfter` (epoch seconds). */
  private async queryUser(userId: string, expiresAfter: number): Promise<IndexedRow[]> {
    const rows: IndexedRow[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: USER_ID_INDEX,
          KeyConditionExpression: 'userId = :userId',
          // TTL deletion lags by hours: expired rows are still in the table and must not count.
          FilterExpression: 'expiresAt > :expiresAfter',
          ExpressionAttributeValues: { ':userId': userId, ':expiresAfter': expiresAfter },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        rows.push({ connectionId: item.connectionId as string, connectedAt: Number(item.connectedAt ?? 0), expiresAt: Number(item.expiresAt) });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return rows;
  }
}

/** What the userId-index projects. */
interface IndexedRow {
  connectionId: string;
  connectedAt: number;
  expiresAt: number;
}

interface Admitted {
  outcome: 'admitted';
  closed: boolean;
}

const toBucketState = (item: Record<string, unknown> | undefined, nowMs: number): BucketState => {
  if (!item) return { exists: false, live: false };
  const expiresAt = Number(item.expiresAt);
  const rateTat = item.rateTat === undefined ? undefined : Number(item.rateTat);
  return { exists: true, live: expiresAt > toEpochSeconds(nowMs), ...(rateTat === undefined ? {} : { rateTat }) };
};

export { DynamoConnectionStore };
