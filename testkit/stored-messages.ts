import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoConnectionStore } from '../src/data/dynamo-connection-store.ts';
import { DynamoMessageStore } from '../src/data/dynamo-message-store.ts';
import type { StoredChatMessage } from '../src/domain/message-store.ts';

/*
 * What the tests read back from the tables, through the stores' own reads, so that no test knows the
 * tables' key formats. DynamoDB Local reads are strongly consistent, which these reads rely on.
 */

/** A retention longer than any test's clock reaches back: the history range then starts at the epoch and hides nothing. */
const EVERY_MESSAGE_DAYS = 100 * 366;
const PAGE_SIZE = 100;
/** Only the audience split (live or ended) depends on it; the readers below take both halves. */
const ANY_IDLE_TIMEOUT_SECONDS = 600;

/** Every message stored in a user's session, oldest first, read page by page as the history route does. */
const storedMessages = async (client: DynamoDBDocumentClient, messagesTable: string, userId: string, sessionId: string): Promise<StoredChatMessage[]> => {
  const store = new DynamoMessageStore(client, messagesTable, EVERY_MESSAGE_DAYS);
  const messages: StoredChatMessage[] = [];
  for (;;) {
    const after = messages.at(-1)?.messageId;
    const page = await store.listSession({ userId, sessionId, limit: PAGE_SIZE, nowMs: Date.now(), ...(after === undefined ? {} : { after }) });
    messages.push(...page.messages);
    if (!page.hasMore) return messages;
  }
};

/** The message a clientMessageId was stored as (its resend marker), or undefined when none was stored. */
const storedByClientMessageId = (client: DynamoDBDocumentClient, messagesTable: string, userId: string, sessionId: string, clientMessageId: string) =>
  new DynamoMessageStore(client, messagesTable, EVERY_MESSAGE_DAYS).findByClientMessageId(userId, sessionId, clientMessageId);

/** The connection ids of every unexpired connection row a user has, open or already closed. */
const storedConnectionIds = async (client: DynamoDBDocumentClient, connectionsTable: string, userId: string): Promise<string[]> => {
  const { live, ended } = await new DynamoConnectionStore(client, connectionsTable, ANY_IDLE_TIMEOUT_SECONDS).listAudience(userId, Date.now());
  return [...live, ...ended];
};

export { storedByClientMessageId, storedConnectionIds, storedMessages };
