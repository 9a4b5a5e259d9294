import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RateLimitPolicy } from '../config/app-config.ts';
import { toEpochSeconds } from '../domain/clock.ts';
import { ConnectionSlots } from './connection-slots.ts';
import {
  CONNECT_GRACE_MS,
  type ConnectAdmission,
  type ConnectionRecord,
  type ConnectionStore,
  type ConnectRequest,
  type FrameAdmission,
} from './connection-store.ts';
import { bucketKey, GcraBucket } from './gcra-bucket.ts';
import { USER_ID_INDEX } from './table-definitions.ts';

/** Attempts at the two-branch refusal count before giving up on counting one refusal. */
const MAX_REFUSAL_COUNT_ATTEMPTS = 3;

/**
 * Connections in DynamoDB. Limits are per user, so reconnecting resets none of them: the frame and
 * connect rates are GCRA buckets on per-user items (gcra-bucket.ts), the connection cap is per-user
 * slot items (connection-slots.ts), all in this table and kept out of `userId-index`.
 */
class DynamoConnectionStore implements ConnectionStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly idleTimeoutSeconds: number;
  private readonly buckets: GcraBucket;
  private readonly slots: ConnectionSlots;

  public constructor(client: DynamoDBDocumentClient, tableName: string, idleTimeoutSeconds: number) {
    this.client = client;
    this.tableName = tableName;
    this.idleTimeoutSeconds = idleTimeoutSeconds;
    this.buckets = new GcraBucket(client, tableName);
    this.slots = new ConnectionSlots(client, tableName);
  }

  public async register(record: ConnectionRecord): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: record }));
  }

  public async remove(connectionId: string): Promise<void> {
    const { Attributes } = await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: { connectionId }, ReturnValues: 'ALL_OLD' }),
    );
    await this.releaseSlotOf(connectionId, Attributes);
  }

  public async removeStale(connectionId: string, nowMs: number): Promise<boolean> {
    try {
      const { Attributes } = await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { connectionId },
          ConditionExpression: 'connectedAt < :registeredBefore',
          ExpressionAttributeValues: { ':registeredBefore': nowMs - CONNECT_GRACE_MS },
          ReturnValues: 'ALL_OLD',
        }),
      );
      await this.releaseSlotOf(connectionId, Attributes);
      return true;
    } catch (error) {
      // Missing (already removed) or too young to be judged gone: either way there is nothing to remove.
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  public async listLive(userId: string, nowMs: number): Promise<string[]> {
    return (await this.queryLive(userId, nowMs)).map((row) => row.connectionId);
  }

  public async admitConnect(request: ConnectRequest): Promise<ConnectAdmission> {
    const { userId, connectionId, nowMs } = request;
    // The slot read is strongly consistent and free of side effects, so it overlaps the bucket write.
    const [bucket, slots] = await Promise.all([
      this.buckets.take(bucketKey('connects', userId), nowMs, request.connectRate),
      this.slots.read(userId, request.maxConnections),
    ]);
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
   * writes allow instead is harmless: a frame refused over the limit still pushes its live
   * connection's idle expiry (the connection is talking; API Gateway's idle timer sees that frame
   * too), and a frame from an unregistered connection may spend one of its user's tokens (it is
   * refused and the connection closed anyway).
   */
  public async admitFrame(connectionId: string, userId: string, nowMs: number, policy: RateLimitPolicy): Promise<FrameAdmission> {
    const expiresAt = toEpochSeconds(nowMs) + this.idleTimeoutSeconds;
    const [bucket, touched] = await Promise.allSettled([
      this.buckets.take(bucketKey('frames', userId), nowMs, policy),
      this.touch(connectionId, nowMs, expiresAt),
    ]);
    if (touched.status === 'rejected') throw touched.reason;
    if (!touched.value) return { outcome: 'unknown-connection' };
    if (bucket.status === 'rejected') throw bucket.reason;
    if (bucket.value.outcome === 'limited') return bucket.value;
    return { outcome: 'admitted', expiresAt };
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
        ConditionExpression:
          'attribute_exists(connectionId) AND (attribute_not_exists(refusalWindowEndsAt) OR refusalWindowEndsAt <= :now)',
        ExpressionAttributeValues: { ':one': 1, ':now': nowMs, ':endsAt': nowMs + windowSeconds * 1000 },
      });
      if (opened !== 'condition-failed') return opened;
      // Another refusal opened the window meanwhile: count into it.
    }
    return undefined;
  }

  /** Pushes a live connection's idle expiry; false when it has no live row. */
  private async touch(connectionId: string, nowMs: number, expiresAt: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { connectionId },
          UpdateExpression: 'SET lastSeenAt = :now, expiresAt = :expiresAt',
          ConditionExpression: 'attribute_exists(connectionId) AND expiresAt > :nowSeconds',
          ExpressionAttributeValues: { ':now': nowMs, ':nowSeconds': toEpochSeconds(nowMs), ':expiresAt': expiresAt },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
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

  private async queryLive(userId: string, nowMs: number): Promise<Array<{ connectionId: string; connectedAt: number }>> {
    const rows: Array<{ connectionId: string; connectedAt: number }> = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: USER_ID_INDEX,
          KeyConditionExpression: 'userId = :userId',
          // TTL deletion lags by hours: idle rows are still in the table and must not count.
          FilterExpression: 'expiresAt > :nowSeconds',
          ExpressionAttributeValues: { ':userId': userId, ':nowSeconds': toEpochSeconds(nowMs) },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) rows.push({ connectionId: item.connectionId as string, connectedAt: Number(item.connectedAt ?? 0) });
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return rows;
  }
}

export { DynamoConnectionStore };
