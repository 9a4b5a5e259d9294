/**
 * The test kit's read-back of stored messages (testkit/stored-messages.ts), which the hardening, e2e
 * and load checks count on: it must see a whole session however many pages it spans, and the resend
 * marker of a clientMessageId.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { monotonicFactory } from 'ulid';
import { storedByClientMessageId, storedMessages } from '#testkit/stored-messages.ts';
import { testDocumentClient, useTestTables } from '#testkit/tables.ts';
import { DynamoMessageStore } from '../../src/data/dynamo-message-store.ts';
import type { StoredChatMessage } from '../../src/domain/message-store.ts';

const db = testDocumentClient();
const nextId = monotonicFactory();
let tables: Awaited<ReturnType<typeof useTestTables>>;

beforeAll(async () => {
  tables = await useTestTables('kitread');
});
afterAll(() => {
  db.destroy();
});

const message = (userId: string, index: number, clientMessageId?: string): StoredChatMessage => ({
  messageId: nextId(),
  sessionId: 's',
  userId,
  role: 'user',
  message: `m${index}`,
  createdAt: new Date().toISOString(),
  ...(clientMessageId === undefined ? {} : { clientMessageId }),
});

describe('the test kit reads stored messages through the store', () => {
  it('reads a session of more than one history page whole, oldest first', async () => {
    // Prepare: 201 messages, more than two pages of the reader's 100
    const store = new DynamoMessageStore(db, tables.messages, 30);
    const saved = Array.from({ length: 201 }, (_, index) => message('paged', index));
    await Promise.all(saved.map((each) => store.saveUserMessage(each)));
    // Act
    const read = await storedMessages(db, tables.messages, 'paged', 's');
    // Assess
    expect(read.map((each) => each.message)).toEqual(saved.map((each) => each.message));
    expect(await storedMessages(db, tables.messages, 'paged', 'other')).toEqual([]);
  });

  it('reads what a clientMessageId was stored as, and undefined for one never stored', async () => {
    const store = new DynamoMessageStore(db, tables.messages, 30);
    const original = message('resender', 1, 'c-1');
    await store.saveUserMessage(original);
    expect(await storedByClientMessageId(db, tables.messages, 'resender', 's', 'c-1')).toEqual(original);
    expect(await storedByClientMessageId(db, tables.messages, 'resender', 's', 'c-2')).toBeUndefined();
  });
});
