/**
 * The model's context read from DynamoDB Local (DynamoMessageStore.recentTurns): the newest turns
 * stored before the question, oldest first, the question itself never among them.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { monotonicFactory } from 'ulid';
import { testDocumentClient, useTestTables } from '#testkit/tables.ts';
import { DynamoMessageStore } from '../../src/data/dynamo-message-store.ts';
import type { StoredChatMessage } from '../../src/domain/message-store.ts';

const db = testDocumentClient();
const nextId = monotonicFactory();
let tables: Awaited<ReturnType<typeof useTestTables>>;

beforeAll(async () => {
  tables = await useTestTables('turns');
});
afterAll(() => {
  db.destroy();
});

const stored = (userId: string, role: 'user' | 'assistant', message: string): StoredChatMessage => ({
  messageId: nextId(),
  sessionId: 's',
  userId,
  role,
  message,
  createdAt: new Date().toISOString(),
});

describe('recentTurns', () => {
  it('reads the newest turns before the question, oldest first, without the question or what came after it', async () => {
    // Prepare: two exchanges, the question, then a later message
    const store = new DynamoMessageStore(db, tables.messages, 30);
    const earlier = [stored('tess', 'user', 'one'), stored('tess', 'assistant', 'answer one'), stored('tess', 'user', 'two'), stored('tess', 'assistant', 'answer two')];
    const question = stored('tess', 'user', 'three');
    const later = stored('tess', 'assistant', 'answer three');
    for (const message of [...earlier, question, later]) {
      if (message.role === 'user') await store.saveUserMessage(message);
      else await store.saveAssistantMessage(message);
    }

    // Act
    const all = await store.recentTurns({ userId: 'tess', sessionId: 's', beforeMessageId: question.messageId, limit: 10 });
    const newest = await store.recentTurns({ userId: 'tess', sessionId: 's', beforeMessageId: question.messageId, limit: 3 });

    // Assess
    expect(all).toEqual([
      { role: 'user', text: 'one' },
      { role: 'assistant', text: 'answer one' },
      { role: 'user', text: 'two' },
      { role: 'assistant', text: 'answer two' },
    ]);
    expect(newest.map((turn) => turn.text)).toEqual(['answer one', 'two', 'answer two']);
  });
});
