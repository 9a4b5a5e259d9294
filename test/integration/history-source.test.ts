/**
 * The model's context read from DynamoDB Local (DynamoMessageStore as a HistorySource), and the reply
 * fields a model adds (status, stopReason, usage) read back through the history page.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ulid } from 'ulid';
import { useTestTables } from '#testkit/tables.ts';
import { DynamoMessageStore } from '../../src/data/dynamo-message-store.ts';
import type { ConversationTurn } from '../../src/domain/conversation.ts';
import type { StoredChatMessage } from '../../src/domain/message-store.ts';

const RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;
/** Far ahead of the wall clock, so no item's TTL has passed: only the store's own range can hide one. */
const QUESTION_AT = Date.UTC(2040, 4, 20, 12);

const base = new DynamoDBClient({});
const db = DynamoDBDocumentClient.from(base);
/** Commands this file's client sent, by name: the context must cost one Query. */
const sent: string[] = [];
base.middlewareStack.add(
  (next, context) => (args) => {
    sent.push(String(context.commandName));
    return next(args);
  },
  { step: 'initialize', name: 'countCommandsInTest' },
);

/** Each message of a session at its own millisecond: a plain ULID of that time sorts as the time does. */
const idAt = (ms: number): string => ulid(ms);
let store: DynamoMessageStore;

beforeAll(async () => {
  const tables = await useTestTables('history');
  store = new DynamoMessageStore(db, tables.messages, RETENTION_DAYS);
});
afterAll(() => {
  db.destroy();
});

interface Stored {
  userId?: string;
  sessionId?: string;
  role?: 'user' | 'assistant';
}

/** Stores a message created at `atMs` (its messageId carries that time) and returns it. */
const storeAt = async (atMs: number, text: string, { userId = 'ann', sessionId = 's1', role = 'user' }: Stored = {}): Promise<StoredChatMessage> => {
  const message: StoredChatMessage = { messageId: idAt(atMs), sessionId, userId, role, message: text, createdAt: new Date(atMs).toISOString() };
  if (role === 'assistant') await store.saveAssistantMessage(message);
  else await store.saveUserMessage(message);
  return message;
};

/** Stores `texts` one second apart, ending a minute before `endMs`, alternating user and assistant from a user turn. */
const storeExchange = async (endMs: number, texts: readonly string[], where: Omit<Stored, 'role'> = {}): Promise<void> => {
  for (const [index, text] of texts.entries()) {
    await storeAt(endMs - 60_000 - (texts.length - index) * 1000, text, { ...where, role: index % 2 === 0 ? 'user' : 'assistant' });
  }
};

const turns = (texts: readonly string[]): ConversationTurn[] => texts.map((text, index) => ({ role: index % 2 === 0 ? 'user' : 'assistant', text }));

describe('DynamoMessageStore.recentTurns', () => {
  it('returns the newest messages before the question, oldest first, roles kept, from one Query', async () => {
    // Prepare: six turns, the question, then a reply to it and a later question
    const history = ['q1', 'a1', 'q2', 'a2', 'q3', 'a3'];
    await storeExchange(QUESTION_AT, history, { sessionId: 'newest' });
    const question = await storeAt(QUESTION_AT, 'the question', { sessionId: 'newest' });
    await storeAt(QUESTION_AT + 1000, 'its reply', { sessionId: 'newest', role: 'assistant' });
    await storeAt(QUESTION_AT + 2000, 'a later question', { sessionId: 'newest' });
    sent.length = 0;
    // Act
    const recent = await store.recentTurns({ userId: 'ann', sessionId: 'newest', beforeMessageId: question.messageId, limit: 4 });
    // Assess
    expect(recent).toStrictEqual(turns(['q2', 'a2', 'q3', 'a3']));
    expect(sent).toEqual(['QueryCommand']);
  });

  it('returns exactly `limit` turns whether or not the question itself is stored', async () => {
    await storeExchange(QUESTION_AT, ['q1', 'a1', 'q2', 'a2', 'q3'], { sessionId: 'limit' });
    const notStored = idAt(QUESTION_AT);
    const question = await storeAt(QUESTION_AT + 1, 'stored question', { sessionId: 'limit' });
    for (const limit of [1, 2, 3]) {
      const expected = turns(['q1', 'a1', 'q2', 'a2', 'q3']).slice(-limit);
      expect(await store.recentTurns({ userId: 'ann', sessionId: 'limit', beforeMessageId: question.messageId, limit })).toStrictEqual(expected);
      expect(await store.recentTurns({ userId: 'ann', sessionId: 'limit', beforeMessageId: notStored, limit })).toStrictEqual(expected);
    }
  });

  it('returns the whole session when it is shorter than the limit, and nothing for a new session', async () => {
    await storeExchange(QUESTION_AT, ['q1', 'a1'], { sessionId: 'short' });
    const question = await storeAt(QUESTION_AT, 'q2', { sessionId: 'short' });
    const first = await storeAt(QUESTION_AT, 'first ever', { sessionId: 'fresh' });
    expect(await store.recentTurns({ userId: 'ann', sessionId: 'short', beforeMessageId: question.messageId, limit: 20 })).toStrictEqual(turns(['q1', 'a1']));
    expect(await store.recentTurns({ userId: 'ann', sessionId: 'fresh', beforeMessageId: first.messageId, limit: 20 })).toEqual([]);
  });

  it("leaves out other sessions and other users, a userId containing '#' included", async () => {
    // Prepare: the asker's turns, then the same session id for other users, and another session of his
    await storeExchange(QUESTION_AT, ['mine', 'my reply'], { userId: 'bob', sessionId: 's' });
    await storeExchange(QUESTION_AT, ['other user'], { userId: 'bo', sessionId: 's' });
    await storeExchange(QUESTION_AT, ['hash user', 'hash reply'], { userId: 'bob#s', sessionId: 's' });
    await storeExchange(QUESTION_AT, ['prefix user'], { userId: 'bob#', sessionId: 's' });
    await storeExchange(QUESTION_AT, ['other session'], { userId: 'bob', sessionId: 't' });
    const question = await storeAt(QUESTION_AT, 'question', { userId: 'bob', sessionId: 's' });
    const hashQuestion = await storeAt(QUESTION_AT, 'question', { userId: 'bob#s', sessionId: 's' });
    // Act
    const bobs = await store.recentTurns({ userId: 'bob', sessionId: 's', beforeMessageId: question.messageId, limit: 20 });
    const hashUsers = await store.recentTurns({ userId: 'bob#s', sessionId: 's', beforeMessageId: hashQuestion.messageId, limit: 20 });
    // Assess
    expect(bobs).toStrictEqual(turns(['mine', 'my reply']));
    expect(hashUsers).toStrictEqual(turns(['hash user', 'hash reply']));
  });

  it('leaves out messages older than the retention window at the time of the question', async () => {
    const windowStart = QUESTION_AT - RETENTION_DAYS * DAY_MS;
    await storeAt(windowStart - 1000, 'expired', { sessionId: 'retention' });
    await storeAt(windowStart - 1, 'expired by a millisecond', { sessionId: 'retention', role: 'assistant' });
    await storeAt(windowStart, 'oldest live', { sessionId: 'retention' });
    await storeAt(windowStart + DAY_MS, 'live reply', { sessionId: 'retention', role: 'assistant' });
    const question = await storeAt(QUESTION_AT, 'question', { sessionId: 'retention' });
    const recent = await store.recentTurns({ userId: 'ann', sessionId: 'retention', beforeMessageId: question.messageId, limit: 20 });
    expect(recent).toStrictEqual(turns(['oldest live', 'live reply']));
  });
});

describe('DynamoMessageStore: the reply fields a model adds', () => {
  it('reads back status, stopReason and usage as stored, and none of them on a reply stored without', async () => {
    // Prepare
    const question = await storeAt(QUESTION_AT, 'question', { sessionId: 'ends' });
    const modelReply: StoredChatMessage = {
      messageId: idAt(QUESTION_AT + 1000),
      sessionId: 'ends',
      userId: 'ann',
      role: 'assistant',
      message: 'cut short',
      createdAt: new Date(QUESTION_AT + 1000).toISOString(),
      replyTo: question.messageId,
      status: 'truncated',
      stopReason: 'max_tokens',
      usage: { inputTokens: 321, outputTokens: 64 },
    };
    const echoReply: StoredChatMessage = { ...question, messageId: idAt(QUESTION_AT + 2000), role: 'assistant', message: 'You said: question', replyTo: question.messageId };
    const failedReply: StoredChatMessage = { ...echoReply, messageId: idAt(QUESTION_AT + 3000), message: '', status: 'failed' };
    // Act
    for (const reply of [modelReply, echoReply, failedReply]) await store.saveAssistantMessage(reply);
    const page = await store.listSession({ userId: 'ann', sessionId: 'ends', limit: 10, nowMs: QUESTION_AT + 4000 });
    // Assess: toStrictEqual also fails on a field present as undefined, so the echo reply has none of the three
    expect(page.messages).toStrictEqual([question, modelReply, echoReply, failedReply]);
  });
});
