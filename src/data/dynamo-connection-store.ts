import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { toEpochSeconds } from '../domain/clock.ts';
import { closedRowExpiresAt, liveThreshold, rowLingerSeconds } from '../domain/connection-lifetime.ts';
import {
  type Audience,
  CONNECT_GRACE_MS,
  type ConnectAdmission,
  type ConnectionRecord,
  type ConnectionStore,
  type ConnectRequest,
  type FrameAdmission,
} from '../domain/connection-store.ts';
import type { RateLimitPolicy } from '../domain/policies.ts';
import { ConnectionSlots } from './connection-slots.ts';
import { bucketKey, GcraBucket } from './gcra-bucket.ts';
import { USER_ID_INDEX } from './table-definitions.ts';

/** Attempts at the two-branch refusal count before giving up on counting one refusal. */
const MAX_REFUSAL_COUNT_ATTEMPTS = 3;

/**
 * Connections in DynamoDB. Limits are per user, so reconnecting resets none of them: the frame and
 * connect rates are GCRA buckets on per-user items (gcra-bucket.ts), the connection cap is per-user
 * slot items (connection-slots.ts), all in this table and kept out of `userId-index`. A row's
 * lifetime is set at `$connect` and `$disconnect` only (src/domain/connection-lifetime.ts).
 */
class DynamoConnectionStore implements ConnectionStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly lingerSeconds: number;
  private readonly buckets: GcraBucket;
  private readonly slots: ConnectionSlots;

  public constructor(client: DynamoDBDocumentClient, tableName: string, idleTimeoutSeconds: number) {
    this.client = client;
    this.tableName = tableName;
    this.lingerSeconds = rowLingerSeconds(idleTimeoutSeconds);
    this.buckets = new GcraBucket(client, tableName);
    this.slots = new ConnectionSlots(client, tableName, this.lingerSeconds);
  }

  public async register(record: ConnectionRecord): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: record }));
  }

  public async remove(connectionId: string): Promise<void> {
    const { Attributes } = await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { connectionId }, ReturnValues: 'ALL_OLD' }));
    await this.releaseSlotOf(connectionId, Attributes);
  }

  public async markDisconnected(connectionId: string, disconnectedAtMs: number): Promise<void> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { connectionId },
          UpdateExpression: 'SET disconnectedAt = :disconnectedAt, expiresAt = :expiresAt',
          // Never creates a row: a connection whose row is gone (backed out of the cap, removed as stale) stays gone.
          ConditionExpression: 'attribute_exists(connectionId)',
          ExpressionAttributeValues: { ':disconnectedAt': disconnectedAtMs, ':expiresAt': closedRowExpiresAt(disconnectedAtMs) },
          ReturnValues: 'ALL_NEW',
        }),
      );
      // A closed connection no longer counts for the cap: its slot is free at once, not at the row's expiry.
      await this.releaseSlotOf(connectionId, Attributes);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  public async removeStale(connectionId: string, nowMs: number): Promise<boolean> {
    try {
      const { Attributes } = await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { connectionId },
          // A closed row answers 410 by definition; it is kept for its grace so frames sent before the close still count.
          ConditionExpression: 'connectedAt < :registeredBefore AND attribute_not_exists(disconnectedAt)',
          ExpressionAttributeValues: { ':registeredBefore': nowMs - CONNECT_GRACE_MS },
          ReturnValues: 'ALL_OLD',
        }),
      );
      await this.releaseSlotOf(connectionId, Attributes);
      return true;
    } catch (error) {
      // Missing, closed, or too young to be judged gone: either way there is nothing to remove.
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  public async listLive(userId: string, nowMs: number): Promise<string[]> {
    return (await this.queryLive(userId, nowMs)).map((row) => row.connectionId);
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

  public async admitConnect(request: ConnectRequest): Promise<ConnectAdmission> {
    const { userId, connectionId, nowMs } = request;
    // The slot read is strongly consistent and free of side effects, so it overlaps the bucket write.
    const [bucket, slots] = await Promise.all([this.buckets.take(bucketKey('connects', userId), nowMs, request.connectRate), this.slots.read(userId, request.maxConnections)]);
    if (bucket.outcome === 'limited') return { outcome: 'rate-limited', retryAfterMs: bucket.retryAfterMs };
    const slotKey = await this.slots.claim(slots, connectionId, nowMs, request.slotExpiresAt);
    return slotKey === undefined ? { outcome: 'full' } : { outcome: 'admitted', slotKey };
  }

  public async releaseSlot(slotKey: string, connectionId: string): Promise<void> {
    await this.slots.release(slotKey, connectionId);
  }

  /**
   * The user's bucket and the connection's row are two writes sent in parallel: one round trip. Not
   * one TransactWriteItems: a transaction costs twice the write units, and concurrent frames of one
   * user would fail with TransactionConflict instead of being ordered by the condition check, so a
   * burst would admit fewer frames than allowed or need retries (more round trips). What parallel
   * writes allow instead is harmless: a frame refused over the limit still stamps its connection's
   * `lastSeenAt`, and a frame from an unregistered connection may spend one of its user's tokens (it
   * is refused and the connection closed anyway).
   */
  public async admitFrame(connectionId: string, userId: string, nowMs: number, policy: RateLimitPolicy): Promise<FrameAdmission> {
    const [bucket, touched] = await Promise.allSettled([this.buckets.take(bucketKey('frames', userId), nowMs, policy), this.touch(connectionId, nowMs)]);
    if (touched.status === 'rejected') throw touched.reason;
    if (touched.value === 'unknown') return { outcome: 'unknown-connection' };
    if (bucket.status === 'rejected') throw bucket.reason;
    if (bucket.value.outcome === 'limited') return bucket.value;
    return { outcome: 'admitted', closed: touched.value === 'closed' };
  }

  public async countRefusal(connectionId: string, nowMs: number, windowSeconds: number): Promise<number | undefined> {
    for (let attempt = 0; attempt < MAX_REFUSAL_COUNT_ATTEMPTS; attempt += 1) {
      // Inside a window (the flooding case): one ADD. Neither branch creates a row for an unknown connection.
      const counted = await this.refusalUpdate(connectionId, {
        UpdateExpression: 'ADD refusals :one',
        ConditionExpression: 'refusalWindowEndsAt > :now',
        ExpressionAttributeValues: { ':one': 1, ':now': nowMs },
      });
      if (counted !== 'condition-failed') return counted;
      const opened = await this.refusalUpdate(connectionId, {
        UpdateExpression: 'SET refusals = :one, refusalWindowEndsAt = :endsAt',
        ConditionExpression: 'attribute_exists(connectionId) AND (attribute_not_exists(refusalWindowEndsAt) OR refusalWindowEndsAt <= :now)',
        ExpressionAttributeValues: { ':one': 1, ':now': nowMs, ':endsAt': nowMs + windowSeconds * 1000 },
      });
      if (opened !== 'condition-failed') return opened;
      // Another refusal opened the window meanwhile: count into it.
    }
    return undefined;
  }

  /**
   * Stamps `lastSeenAt` on an unexpired row (its lifetime does not move: connection-lifetime.ts) and
   * says whether it is open or closed within its grace; `unknown` when there is no unexpired row.
   */
  private async touch(connectionId: string, nowMs: number): Promise<'open' | 'closed' | 'unknown'> {
    try {
      // ALL_NEW tells whether the row is marked closed, at no extra round trip.
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { connectionId },
          UpdateExpression: 'SET lastSeenAt = :now',
          ConditionExpression: 'attribute_exists(connectionId) AND expiresAt > :nowSeconds',
          ExpressionAttributeValues: { ':now': nowMs, ':nowSeconds': toEpochSeconds(nowMs) },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes?.disconnectedAt === undefined ? 'open' : 'closed';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'unknown';
      throw error;
    }
  }

  /** The refusal count after the update; undefined when the connection has no row. */
  private async refusalUpdate(
    connectionId: string,
    input: Pick<ConstructorParameters<typeof UpdateCommand>[0], 'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeValues'>,
  ): Promise<number | undefined | 'condition-failed'> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          ...input,
          TableName: this.tableName,
          Key: { connectionId },
          ReturnValues: 'UPDATED_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return Number(Attributes?.refusals);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // ALL_OLD returns the item whenever it exists, so no Item means no row.
      return error.Item ? 'condition-failed' : undefined;
    }
  }

  private async releaseSlotOf(connectionId: string, removed: Record<string, unknown> | undefined): Promise<void> {
    if (typeof removed?.slotKey === 'string') await this.slots.release(removed.slotKey, connectionId);
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

export { DynamoConnectionStore };
