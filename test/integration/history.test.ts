import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startRouteHarness } from '../support/route-harness.ts';

let harness: Awaited<ReturnType<typeof startRouteHarness>>;

beforeAll(async () => {
  // Generous limits: this file sends many frames on one connection.
  harness = await startRouteHarness('history', { RATE_LIMIT_BURST: '1000' });
});
afterAll(() => harness.stop());

const lastHistory = (connectionId: string) =>
  harness.management.framesTo(connectionId).filter((frame) => frame.type === 'history').at(-1)?.data;

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
});
