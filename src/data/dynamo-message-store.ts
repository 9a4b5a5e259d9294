import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { toEpochSeconds } from '../domain/clock.ts';
import type { ConversationTurn } from '../domain/conversation.ts';
import type { HistoryPage, HistoryQuery, MessageStore, SaveResult, StoredChatMessage } from '../domain/message-store.ts';
import { REPLY_LEASE_MS } from '../domain/message-store.ts';
import type { HistorySource, RecentTurnsQuery } from '../domain/model-reply.ts';
import { messageIdTime, minMessageIdAt } from '../protocol/message-id-time.ts';
import { CLIENT_ID_PREFIX, MESSAGE_PREFIX, sessionKey, text, toMessage } from './message-items.ts';

const DAY_MS = 86_400_000;
/** How far past its question a reply is looked for (replies follow their question closely). */
const REPLY_SEARCH_ITEMS = 100;

/**
 * Messages in DynamoDB: partition = the user's session, sort = `MSG#<ULID>`, so a Query returns a
 * session in time order. A resent clientMessageId is caught by a `CLIENT#<id>` marker written in the
 * same transaction as the message.
 */
class DynamoMessageStore implements MessageStore, HistorySource {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly retentionMs: number;

  public constructor(client: DynamoDBDocumentClient, tableName: string, retentionDays: number) {
    this.client = client;
    this.tableName = tableName;
    this.retentionMs = retentionDays * DAY_MS;
  }

  public async saveUserMessage(message: StoredChatMessage): Promise<SaveResult> {
    const item = this.toItem(message);
    if (message.clientMessageId === undefined) {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: item }));
      return { message, duplicate: false };
    }
    const markerKey = this.markerKey(message);
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { ...markerKey, original: message, expiresAt: item.expiresAt, replyLeaseUntil: Date.parse(message.createdAt) + REPLY_LEASE_MS },
                ConditionExpression: 'attribute_not_exists(itemKey)',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            { Put: { TableName: this.tableName, Item: item } },
          ],
        }),
      );
      return { message, duplicate: false };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const markerReason = error.CancellationReasons?.[0];
      if (markerReason?.Code !== 'ConditionalCheckFailed') throw error;
      // The condition failing means the marker exists, and ALL_OLD returns it.
      if (!markerReason.Item) throw error;
      return { message: unmarshall(markerReason.Item).original as StoredChatMessage, duplicate: true };
    }
  }

  public async hasReply(question: StoredChatMessage): Promise<boolean> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'sessionKey = :sessionKey AND itemKey BETWEEN :from AND :to',
        // A failed reply does not answer the question: its resend is answered again.
        FilterExpression: 'replyTo = :question AND (attribute_not_exists(#status) OR #status <> :failed)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':sessionKey': sessionKey(question.userId, question.sessionId),
          ':from': `${MESSAGE_PREFIX}${question.messageId}\u0001`,
          ':to': `${MESSAGE_PREFIX}\uffff`,
          ':question': question.messageId,
          ':failed': 'failed',
        },
        Limit: REPLY_SEARCH_ITEMS,
        ConsistentRead: true,
      }),
    );
    return Items.length > 0;
  }

  public async claimReplyLease(question: StoredChatMessage, nowMs: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.markerKey(question),
          UpdateExpression: 'SET replyLeaseUntil = :until',
          ConditionExpression: 'attribute_exists(itemKey) AND (attribute_not_exists(replyLeaseUntil) OR replyLeaseUntil < :now)',
          ExpressionAttributeValues: { ':until': nowMs + REPLY_LEASE_MS, ':now': nowMs },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  public async releaseReplyLease(question: StoredChatMessage): Promise<void> {
    await this.client.send(new UpdateCommand({ TableName: this.tableName, Key: this.markerKey(question), UpdateExpression: 'REMOVE replyLeaseUntil' }));
  }

  private markerKey(question: StoredChatMessage) {
    return {
      sessionKey: sessionKey(question.userId, question.sessionId),
      itemKey: `${CLIENT_ID_PREFIX}${question.clientMessageId}`,
    };
  }

  public async saveAssistantMessage(message: StoredChatMessage): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: this.toItem(message) }));
  }

  public async listSession(query: HistoryQuery): Promise<HistoryPage> {
    // Expired messages are older than the retention window; starting the range there hides them
    // before TTL deletion catches up, without a filter that would break Limit.
    const oldestLive = `${MESSAGE_PREFIX}${minMessageIdAt(query.nowMs - this.retentionMs)}`;
    const after = query.after ? `${MESSAGE_PREFIX}${query.after}` : '';
    const { Items = [], LastEvaluatedKey } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'sessionKey = :sessionKey AND itemKey BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':sessionKey': sessionKey(query.userId, query.sessionId),
          // BETWEEN is inclusive; '\u0001' steps past the `after` message itself.
          ':from': after > oldestLive ? `${after}\u0001` : oldestLive,
          ':to': `${MESSAGE_PREFIX}\uffff`,
        },
        Limit: query.limit + 1,
        ScanIndexForward: true,
      }),
    );
    const messages = Items.slice(0, query.limit).map(toMessage);
    // A Query stops at 1 MB of items too (about 60 messages of 4,000 four-byte characters): fewer
    // items than asked for, with LastEvaluatedKey, means there is more.
    return { messages, hasMore: Items.length > query.limit || LastEvaluatedKey !== undefined };
  }

  /**
   * The model's context: the newest `limit` messages stored before the question, oldest first. One
   * Query, newest first, from the question back to the retention window.
   */
  public async recentTurns(query: RecentTurnsQuery): Promise<ConversationTurn[]> {
    // The question's own time: messages older than the retention window at that moment are expired.
    const oldestLive = `${MESSAGE_PREFIX}${minMessageIdAt(messageIdTime(query.beforeMessageId) - this.retentionMs)}`;
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'sessionKey = :sessionKey AND itemKey BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':sessionKey': sessionKey(query.userId, query.sessionId),
          ':from': oldestLive,
          // BETWEEN is inclusive: up to the question's own key, which is dropped below.
          ':to': `${MESSAGE_PREFIX}${query.beforeMessageId}`,
        },
        ProjectionExpression: '#role, message, messageId',
        ExpressionAttributeNames: { '#role': 'role' },
        ScanIndexForward: false,
        // One more than asked: the question itself may be the first item read. It is dropped here, not
        // by a FilterExpression: DynamoDB refuses a filter on a key attribute (itemKey).
        Limit: query.limit + 1,
      }),
    );
    return Items.filter((item) => item.messageId !== query.beforeMessageId)
      .slice(0, query.limit)
      .reverse()
      .map((item) => ({ role: item.role === 'assistant' ? 'assistant' : 'user', text: text(item.message) }));
  }

  /**
   * The message a clientMessageId was first stored as (what its resend marker holds), or undefined.
   * Not part of MessageStore: the tests read the markers through it instead of through the key format.
   */
  public async findByClientMessageId(userId: string, sessionId: string, clientMessageId: string): Promise<StoredChatMessage | undefined> {
    const key = { sessionKey: sessionKey(userId, sessionId), itemKey: `${CLIENT_ID_PREFIX}${clientMessageId}` };
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return Item?.original as StoredChatMessage | undefined;
  }

  private toItem(message: StoredChatMessage) {
    const createdMs = Date.parse(message.createdAt);
    return {
      ...message,
      sessionKey: sessionKey(message.userId, message.sessionId),
      itemKey: `${MESSAGE_PREFIX}${message.messageId}`,
      expiresAt: toEpochSeconds(createdMs + this.retentionMs),
    };
  }
}

export { DynamoMessageStore };
