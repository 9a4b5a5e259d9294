import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { RateLimitPolicy } from '../config/app-config.ts';
import { toEpochSeconds } from '../domain/clock.ts';
import { CONNECT_GRACE_MS, type ConnectionRecord, type ConnectionStore, type FrameAdmission } from './connection-store.ts';
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
 * each frame is one conditional UpdateItem that also refreshes the idle TTL; concurrent frames on
 * one connection are serialised by DynamoDB's condition check, never by a read-modify-write.
 */
class DynamoConnectionStore implements ConnectionStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly idleTimeoutSeconds: number;

  public constructor(client: DynamoDBDocumentClient, tableName: string, idleTimeoutSeconds: number) {
    this.client = client;
    this.tableName = tableName;
    this.idleTimeoutSeconds = idleTimeoutSeconds;
  }

  public async register(record: ConnectionRecord): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: record }));
  }

  public async remove(connectionId: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { connectionId } }));
  }

  public async removeStale(connectionId: string, nowMs: number): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { connectionId },
          ConditionExpression: 'connectedAt < :registeredBefore',
          ExpressionAttributeValues: { ':registeredBefore': nowMs - CONNECT_GRACE_MS },
        }),
      );
      return true;
    } catch (error) {
      // Missing (already removed) or too young to be judged gone: either way there is nothing to remove.
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

  public async admitFrame(connectionId: string, nowMs: number, policy: RateLimitPolicy): Promise<FrameAdmission> {
    const intervalMs = 1000 / policy.perSecond;
    const limit = nowMs + (policy.burst - 1) * intervalMs;
    const expiresAt = toEpochSeconds(nowMs) + this.idleTimeoutSeconds;
    // Most chat frames arrive after the bucket has refilled, so the "refilled" branch goes first.
    let branch: 'refilled' | 'draining' = 'refilled';
    for (let attempt = 0; attempt < MAX_ADMISSION_ATTEMPTS; attempt += 1) {
      const state: 'admitted' | BucketState = branch === 'refilled'
        ? await this.tryRefilled(connectionId, nowMs, intervalMs, expiresAt)
        : await this.tryDraining(connectionId, nowMs, limit, intervalMs, expiresAt);
      if (state === 'admitted') return { outcome: 'admitted', expiresAt };
      if (!state.exists || !state.live) return { outcome: 'unknown-connection' };
      const tat: number = state.rateTat ?? 0;
      if (tat > limit) return { outcome: 'limited', retryAfterMs: Math.ceil(tat - limit) };
      branch = tat < nowMs ? 'refilled' : 'draining';
    }
    return { outcome: 'limited', retryAfterMs: Math.ceil(intervalMs) };
  }

  private async tryRefilled(connectionId: string, nowMs: number, intervalMs: number, expiresAt: number) {
    return this.conditionalUpdate({
      Key: { connectionId },
      UpdateExpression: 'SET rateTat = :next, lastSeenAt = :now, expiresAt = :expiresAt',
      ConditionExpression:
        'attribute_exists(connectionId) AND expiresAt > :nowSeconds AND (attribute_not_exists(rateTat) OR rateTat < :now)',
      ExpressionAttributeValues: {
        ':next': nowMs + intervalMs,
        ':now': nowMs,
        ':nowSeconds': toEpochSeconds(nowMs),
        ':expiresAt': expiresAt,
      },
    }, nowMs);
  }

  private async tryDraining(connectionId: string, nowMs: number, limit: number, intervalMs: number, expiresAt: number) {
    return this.conditionalUpdate({
      Key: { connectionId },
      UpdateExpression: 'SET rateTat = rateTat + :interval, lastSeenAt = :now, expiresAt = :expiresAt',
      ConditionExpression: 'expiresAt > :nowSeconds AND rateTat BETWEEN :now AND :limit',
      ExpressionAttributeValues: {
        ':interval': intervalMs,
        ':now': nowMs,
        ':limit': limit,
        ':nowSeconds': toEpochSeconds(nowMs),
        ':expiresAt': expiresAt,
      },
    }, nowMs);
  }

  /** Runs one conditional update; on a failed condition returns the item as it was. */
  private async conditionalUpdate(
    input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>,
    nowMs: number,
  ): Promise<'admitted' | BucketState> {
    try {
      await this.client.send(
        new UpdateCommand({ ...input, TableName: this.tableName, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
      );
      return 'admitted';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // ALL_OLD returns the item whenever it exists, so no Item means no row (the roles have no GetItem).
      return toBucketState(error.Item ? unmarshall(error.Item) : undefined, nowMs);
    }
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

const toBucketState = (item: Record<string, unknown> | undefined, nowMs: number): BucketState => {
  if (!item) return { exists: false, live: false };
  const expiresAt = Number(item.expiresAt);
  const rateTat = item.rateTat === undefined ? undefined : Number(item.rateTat);
  return { exists: true, live: expiresAt > toEpochSeconds(nowMs), ...(rateTat === undefined ? {} : { rateTat }) };
};

export { DynamoConnectionStore };
