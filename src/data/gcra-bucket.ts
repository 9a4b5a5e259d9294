import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { toEpochSeconds } from '../domain/clock.ts';
import type { BucketAdmission, RateLimitPolicy } from '../domain/policies.ts';

/** Attempts at the two-branch bucket update before a contended request is refused. */
const MAX_ADMISSION_ATTEMPTS = 4;

/**
 * The item of one user's bucket in the connections table. It has no `userId` attribute, so it never
 * shows in `userId-index` (recipient and cap reads), and its key cannot collide with an API Gateway
 * connectionId (those never contain `#`).
 */
const bucketKey = (kind: 'frames' | 'connects', userId: string): string => `bucket#${kind}#${userId}`;

/**
 * A GCRA rate limiter (a token bucket expressed as one timestamp, the "theoretical arrival time")
 * on its own item, taken with one conditional UpdateItem: concurrent requests are ordered by
 * DynamoDB's condition check, never by a read-modify-write, so exactly the burst is admitted however
 * many arrive at once. A missing item is a full bucket; the item's TTL (`expiresAt`) is set past the
 * moment the bucket is full again, so deleting it changes nothing.
 */
class GcraBucket {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  public constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.client = client;
    this.tableName = tableName;
  }

  public async take(key: string, nowMs: number, policy: RateLimitPolicy): Promise<BucketAdmission> {
    const intervalMs = 1000 / policy.perSecond;
    const limit = nowMs + (policy.burst - 1) * intervalMs;
    // The latest TAT this update can write is limit + interval: full again by then.
    const expiresAt = toEpochSeconds(limit + intervalMs) + 1;
    // Most requests arrive after the bucket has refilled, so the "refilled" branch goes first.
    let branch: 'refilled' | 'draining' = 'refilled';
    for (let attempt = 0; attempt < MAX_ADMISSION_ATTEMPTS; attempt += 1) {
      const tat: 'admitted' | number =
        branch === 'refilled' ? await this.tryRefilled(key, nowMs, intervalMs, expiresAt) : await this.tryDraining(key, nowMs, limit, intervalMs, expiresAt);
      if (tat === 'admitted') return { outcome: 'admitted' };
      if (tat > limit) return { outcome: 'limited', retryAfterMs: Math.ceil(tat - limit) };
      branch = tat < nowMs ? 'refilled' : 'draining';
    }
    return { outcome: 'limited', retryAfterMs: Math.ceil(intervalMs) };
  }

  private tryRefilled(key: string, nowMs: number, intervalMs: number, expiresAt: number) {
    return this.conditionalUpdate({
      Key: { connectionId: key },
      UpdateExpression: 'SET rateTat = :next, expiresAt = :expiresAt',
      ConditionExpression: 'attribute_not_exists(rateTat) OR rateTat < :now',
      ExpressionAttributeValues: { ':next': nowMs + intervalMs, ':now': nowMs, ':expiresAt': expiresAt },
    });
  }

  private tryDraining(key: string, nowMs: number, limit: number, intervalMs: number, expiresAt: number) {
    return this.conditionalUpdate({
      Key: { connectionId: key },
      UpdateExpression: 'SET rateTat = rateTat + :interval, expiresAt = :expiresAt',
      ConditionExpression: 'rateTat BETWEEN :now AND :limit',
      ExpressionAttributeValues: { ':interval': intervalMs, ':now': nowMs, ':limit': limit, ':expiresAt': expiresAt },
    });
  }

  /** Runs one conditional update; on a failed condition returns the TAT the item had. */
  private async conditionalUpdate(input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>): Promise<'admitted' | number> {
    try {
      await this.client.send(new UpdateCommand({ ...input, TableName: this.tableName, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }));
      return 'admitted';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // Only an existing item with a TAT can fail either condition.
      return Number((error.Item ? unmarshall(error.Item) : {}).rateTat ?? 0);
    }
  }
}

export { bucketKey, GcraBucket };
