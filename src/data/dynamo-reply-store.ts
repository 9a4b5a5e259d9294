import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { toEpochSeconds } from '../domain/clock.ts';
import type { StoredChatMessage } from '../domain/message-store.ts';
import type { CancelOutcome, ReplyClaim, ReplyEnd, ReplyKey, ReplyStore, SessionTurn, TurnClaim } from '../domain/reply-store.ts';
import { MESSAGE_PREFIX, sessionKey, toMessage } from './message-items.ts';

const DAY_MS = 86_400_000;
const TURN_KEY = 'TURN';

const itemKey = (key: ReplyKey) => ({ sessionKey: sessionKey(key.userId, key.sessionId), itemKey: `${MESSAGE_PREFIX}${key.messageId}` });

/** Runs a conditional write; false when its condition failed (with the item as it was, when asked for). */
const conditionally = async (write: () => Promise<unknown>): Promise<{ ok: true } | { ok: false; old: Record<string, unknown> | undefined }> => {
  try {
    await write();
    return { ok: true };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    return { ok: false, old: error.Item ? unmarshall(error.Item) : undefined };
  }
};

/**
 * Reply items in the messages table (the same `MSG#<ULID>` items history reads), plus one `TURN` item
 * per session while an answer streams. Every write that changes a reply's state is conditional on
 * `status = streaming`, so a reply ends exactly once, however many invocations race for it.
 */
class DynamoReplyStore implements ReplyStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #retentionMs: number;

  public constructor(client: DynamoDBDocumentClient, tableName: string, retentionDays: number) {
    this.#client = client;
    this.#tableName = tableName;
    this.#retentionMs = retentionDays * DAY_MS;
  }

  public async claimTurn(userId: string, sessionId: string, turn: SessionTurn, nowMs: number, untilMs: number): Promise<TurnClaim> {
    const result = await conditionally(() =>
      this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { sessionKey: sessionKey(userId, sessionId), itemKey: TURN_KEY, ...turn, turnUntil: untilMs, expiresAt: toEpochSeconds(untilMs) + 86_400 },
          // A turn whose holder outlived every attempt (three crashed invocations) expires.
          ConditionExpression: 'attribute_not_exists(itemKey) OR turnUntil < :now',
          ExpressionAttributeValues: { ':now': nowMs },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
    if (result.ok) return { claimed: true };
    const holder = result.old?.clientMessageId;
    return typeof holder === 'string' ? { claimed: false, clientMessageId: holder } : { claimed: false };
  }

  public async releaseTurn(userId: string, sessionId: string, replyMessageId: string): Promise<void> {
    await conditionally(() =>
      this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { sessionKey: sessionKey(userId, sessionId), itemKey: TURN_KEY },
          // An update, not a delete: DeleteItem with a condition would need its own grant for nothing more.
          UpdateExpression: 'SET turnUntil = :zero',
          ConditionExpression: 'replyMessageId = :reply',
          ExpressionAttributeValues: { ':zero': 0, ':reply': replyMessageId },
        }),
      ),
    );
  }

  public async startReply(reply: StoredChatMessage): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: { ...reply, ...itemKey(reply), status: 'streaming', attempts: 0, beatAt: 0, expiresAt: toEpochSeconds(Date.parse(reply.createdAt) + this.#retentionMs) },
        ConditionExpression: 'attribute_not_exists(itemKey)',
      }),
    );
  }

  public async claimReply(key: ReplyKey, nowMs: number, staleMs: number): Promise<ReplyClaim> {
    try {
      const { Attributes } = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: itemKey(key),
          UpdateExpression: 'ADD attempts :one SET beatAt = :now',
          // A live attempt beats at least every persist interval: one that has not for `staleMs` is gone.
          ConditionExpression: '#status = :streaming AND (attempts = :zero OR beatAt < :stale)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':one': 1, ':now': nowMs, ':streaming': 'streaming', ':zero': 0, ':stale': nowMs - staleMs },
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      const old = Attributes ?? {};
      return { outcome: old.attempts === 0 ? 'generate' : 'recover', reply: toMessage(old) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const old = error.Item ? unmarshall(error.Item) : undefined;
      return old?.status === 'streaming' ? { outcome: 'busy' } : { outcome: 'finished' };
    }
  }

  public async persistText(key: ReplyKey, message: string, nowMs: number): Promise<{ cancelRequested: boolean }> {
    try {
      const { Attributes } = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: itemKey(key),
          UpdateExpression: 'SET message = :message, beatAt = :now',
          ConditionExpression: '#status = :streaming',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':message': message, ':now': nowMs, ':streaming': 'streaming' },
          // The whole item comes back, the cancel flag with it: one round trip per persist.
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { cancelRequested: Attributes?.cancelRequested === true };
    } catch (error) {
      // A reply that is no longer streaming was ended by someone else: stop as if cancelled.
      if (error instanceof ConditionalCheckFailedException) return { cancelRequested: true };
      throw error;
    }
  }

  public async isCancelRequested(key: ReplyKey): Promise<boolean> {
    const { Item } = await this.#client.send(
      new GetCommand({
        TableName: this.#tableName,
        Key: itemKey(key),
        ProjectionExpression: 'cancelRequested, #status',
        ExpressionAttributeNames: { '#status': 'status' },
        ConsistentRead: true,
      }),
    );
    return Item?.cancelRequested === true || (Item !== undefined && Item.status !== 'streaming');
  }

  public async finishReply(key: ReplyKey, end: ReplyEnd, nowMs: number): Promise<StoredChatMessage | undefined> {
    try {
      const { Attributes } = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: itemKey(key),
          UpdateExpression: `SET #status = :status, message = :message, endedAt = :endedAt${end.stopReason === undefined ? '' : ', stopReason = :stopReason'}${end.usage === undefined ? '' : ', #usage = :usage'}`,
          ConditionExpression: '#status = :streaming',
          // `usage` is a DynamoDB reserved word.
          ExpressionAttributeNames: { '#status': 'status', ...(end.usage === undefined ? {} : { '#usage': 'usage' }) },
          ExpressionAttributeValues: {
            ':status': end.status,
            ':message': end.message,
            ':endedAt': new Date(nowMs).toISOString(),
            ':streaming': 'streaming',
            ...(end.stopReason === undefined ? {} : { ':stopReason': end.stopReason }),
            ...(end.usage === undefined ? {} : { ':usage': end.usage }),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? toMessage(Attributes) : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  public async requestCancel(key: ReplyKey): Promise<CancelOutcome> {
    const result = await conditionally(() =>
      this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: itemKey(key),
          UpdateExpression: 'SET cancelRequested = :yes',
          ConditionExpression: '#role = :assistant AND #status = :streaming',
          ExpressionAttributeNames: { '#status': 'status', '#role': 'role' },
          ExpressionAttributeValues: { ':yes': true, ':assistant': 'assistant', ':streaming': 'streaming' },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
    if (result.ok) return { outcome: 'cancelling' };
    const status = result.old?.role === 'assistant' ? toMessage(result.old).status : undefined;
    // A reply stored before replies had a status (an echo reply) ended complete.
    if (result.old?.role === 'assistant') return { outcome: 'finished', status: status ?? 'complete' };
    return { outcome: 'unknown' };
  }

  public async getMessage(key: ReplyKey): Promise<StoredChatMessage | undefined> {
    const { Item } = await this.#client.send(new GetCommand({ TableName: this.#tableName, Key: itemKey(key), ConsistentRead: true }));
    return Item ? toMessage(Item) : undefined;
  }
}

export { DynamoReplyStore };
