import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startRouteHarness } from '#testkit/route-harness.ts';
import { testDocumentClient } from '#testkit/tables.ts';
import { DynamoMessageStore } from '../../src/data/dynamo-message-store.ts';
import { newMessageId } from '../../src/domain/message-ids.ts';

let harness: Awaited<ReturnType<typeof startRouteHarness>>;

beforeAll(async () => {
  // Generous limits: this file sends many frames on one connection.
  harness = await startRouteHarness('history', { RATE_LIMIT_BURST: '1000' });
});
afterAll(() => harness.stop());

const lastHistory = (connectionId: string) =>
  harness.management
    .framesTo(connectionId)
    .filter((frame) => frame.type === 'history')
    .at(-1)?.data;

describe('history', () => {
  it('returns the session oldest first, paged with after and limit', async () => {
    // Prepare: 4 questions → 8 messages (question, reply, question, reply, ...)
    const { connectionId } = await harness.connect('paula');
    for (const text of ['one', 'two', 'three', 'four']) {
      await harness.send(connectionId, 'paula', { action: 'chat_message', data: { message: text, sessionId: 'paged' } });
    }
    // Act
    await harness.send(connectionId, 'paula', { action: 'history', data: { sessionId: 'paged', limit: 3 } });
    const first = lastHistory(connectionId);
    await harness.send(connectionId, 'paula', { action: 'history', data: { sessionId: 'paged', limit: 3, after: first.messages.at(-1).messageId } });
    const second = lastHistory(connectionId);
    await harness.send(connectionId, 'paula', { action: 'history', data: { sessionId: 'paged', limit: 3, after: second.messages.at(-1).messageId } });
    const third = lastHistory(connectionId);
    // Assess
    const texts = [...first.messages, ...second.messages, ...third.messages].map((m: { message: string }) => m.message);
    expect(texts).toEqual(['one', 'You said: one', 'two', 'You said: two', 'three', 'You said: three', 'four', 'You said: four']);
    expect([first.hasMore, second.hasMore, third.hasMore]).toEqual([true, true, false]);
    const ids = [...first.messages, ...second.messages, ...third.messages].map((m: { messageId: string }) => m.messageId);
    expect([...ids].sort()).toEqual(ids);
  });

  it('defaults to 50 messages a page', async () => {
    const { connectionId } = await harness.connect('quinn');
    for (let i = 0; i < 26; i += 1) {
      await harness.send(connectionId, 'quinn', { action: 'chat_message', data: { message: `m${i}`, sessionId: 'long' } });
    }
    await harness.send(connectionId, 'quinn', { action: 'history', data: { sessionId: 'long' } });
    const page = lastHistory(connectionId);
    expect(page.messages).toHaveLength(50);
    expect(page.hasMore).toBe(true);
  });

  it('cuts pages of long messages by size, under the 128 KB message limit, with every message once and in order', async () => {
    // Prepare: 16 exchanges of 4,000-character messages, 4 bytes a character (about 512 KB in all)
    const { connectionId } = await harness.connect('rosa');
    const text = '😀'.repeat(4000);
    for (let i = 0; i < 16; i += 1) {
      await harness.send(connectionId, 'rosa', { action: 'chat_message', data: { message: `${String(i).padStart(2, '0')}${text.slice(0, -4)}`, sessionId: 'big' } });
    }
    // Act: page through as the client does, 100 at a time
    const pages = [];
    let after: string | undefined;
    for (let request = 0; request < 40; request += 1) {
      const before = harness.management.calls.length;
      await harness.send(connectionId, 'rosa', { action: 'history', data: { sessionId: 'big', limit: 100, ...(after ? { after } : {}) } });
      const posted = harness.management.calls.slice(before).filter((call) => call.connectionId === connectionId);
      expect(posted).toHaveLength(1);
      const page = JSON.parse(posted[0]?.body ?? 'null');
      expect(page.type).toBe('history');
      pages.push({ bytes: Buffer.byteLength(posted[0]?.body ?? ''), data: page.data });
      after = page.data.messages.at(-1)?.messageId;
      if (!page.data.hasMore) break;
    }
    // Assess
    for (const page of pages) expect(page.bytes).toBeLessThan(128 * 1024);
    const messages = pages.flatMap((page) => page.data.messages);
    expect(messages).toHaveLength(32);
    expect(new Set(messages.map((m: { messageId: string }) => m.messageId)).size).toBe(32);
    const ids = messages.map((m: { messageId: string }) => m.messageId);
    expect([...ids].sort()).toEqual(ids);
    expect(messages.filter((m: { role: string }) => m.role === 'user').map((m: { message: string }) => Number.parseInt(m.message, 10))).toEqual(
      Array.from({ length: 16 }, (_, i) => i),
    );
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.map((page) => page.data.hasMore)).toEqual([...pages.slice(1).map(() => true), false]);
  });

  it('answers MESSAGE_TOO_LARGE when API Gateway refuses the page for its size (413)', async () => {
    // Prepare
    const { connectionId } = await harness.connect('sami');
    await harness.send(connectionId, 'sami', { action: 'chat_message', data: { message: 'hello', sessionId: 'refused' } });
    harness.management.failNext(connectionId, { status: 413, errorType: 'PayloadTooLargeException', times: 1 });
    // Act
    const response = await harness.send(connectionId, 'sami', { action: 'history', data: { sessionId: 'refused' } });
    // Assess: the refused page is followed by an error frame the client can act on
    const frames = harness.management.framesTo(connectionId);
    expect(frames.at(-1)).toMatchObject({ type: 'error', error: { code: 'MESSAGE_TOO_LARGE' } });
    expect(frames.filter((frame) => frame.type === 'history')).toHaveLength(0);
    expect(response.statusCode).toBe(200);
  });

  it('says hasMore when DynamoDB stops a page at 1 MB of items before the limit', async () => {
    // Prepare: 70 messages of 16,000 bytes (over 1 MB), written straight to the table
    const store = new DynamoMessageStore(testDocumentClient(), harness.tables.messages, 30);
    const nowMs = Date.now();
    for (let i = 0; i < 70; i += 1) {
      await store.saveAssistantMessage({
        messageId: newMessageId(nowMs - 70_000 + i * 1000),
        sessionId: 'megabyte',
        userId: 'tara',
        role: 'assistant',
        message: '😀'.repeat(4000),
        createdAt: new Date(nowMs - 70_000 + i * 1000).toISOString(),
      });
    }
    // Act
    const page = await store.listSession({ userId: 'tara', sessionId: 'megabyte', limit: 100, nowMs });
    // Assess
    expect(page.messages.length).toBeLessThan(70);
    expect(page.hasMore).toBe(true);
  });
});
