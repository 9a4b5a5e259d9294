import { describe, expect, it } from '@jest/globals';
import { HISTORY_FRAME_BUDGET_BYTES, historyFrame, MESSAGE_LIMIT_BYTES } from '../../src/domain/history-page.ts';
import type { ChatMessage } from '../../src/protocol/frames.ts';

const bytesOf = (frame: unknown): number => Buffer.byteLength(JSON.stringify(frame), 'utf8');

/** 4,000 characters (code points) whose UTF-8 or JSON escaping is as wide as it gets. */
const WIDE_TEXTS = [
  'a'.repeat(4000),
  'é'.repeat(4000), // 2 bytes each
  '€'.repeat(4000), // 3 bytes each
  '😀'.repeat(4000), // 4 bytes each (a surrogate pair in JS)
  '\u0001'.repeat(4000), // escaped by JSON as \u0001: 6 bytes each
  '"'.repeat(4000), // escaped as \": 2 bytes each
];

const message = (index: number, text: string): ChatMessage => ({
  messageId: `01J${String(index).padStart(23, '0')}`,
  sessionId: 'long',
  userId: 'user-with-a-long-name',
  role: index % 2 === 0 ? 'user' : 'assistant',
  message: text,
  createdAt: new Date(index * 1000).toISOString(),
});

/** Pages through `all` as the client does: each page starts after the last message of the previous one. */
const pageThrough = (all: ChatMessage[], limit: number, budgetBytes?: number) => {
  const pages = [];
  let start = 0;
  for (;;) {
    const read = all.slice(start, start + limit);
    const frame = historyFrame('long', read, start + limit < all.length, budgetBytes);
    pages.push(frame);
    start += frame.data.messages.length;
    if (!frame.data.hasMore) return pages;
  }
};

describe('historyFrame', () => {
  it.each(WIDE_TEXTS.map((text) => [(text.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0'), text]))(
    'keeps every page of 4,000-character messages (U+%s) under the budget, with every message once and in order',
    (_codePoint, text) => {
      // Prepare: 16 exchanges of 4,000-character messages (and replies a little longer)
      const all = Array.from({ length: 32 }, (_, i) => message(i, i % 2 === 0 ? text : `You said: ${text}`));
      // Act
      const pages = pageThrough(all, 100);
      // Assess
      for (const page of pages) expect(bytesOf(page)).toBeLessThanOrEqual(HISTORY_FRAME_BUDGET_BYTES);
      expect(pages.flatMap((page) => page.data.messages)).toEqual(all);
      expect(pages.map((page) => page.data.hasMore)).toEqual([...pages.slice(1).map(() => true), false]);
      expect(HISTORY_FRAME_BUDGET_BYTES).toBeLessThan(MESSAGE_LIMIT_BYTES);
    },
  );

  it('cuts exactly at the budget: a frame that fits to the byte keeps all its messages', () => {
    const all = Array.from({ length: 5 }, (_, i) => message(i, '€'.repeat(100 + i)));
    const exact = bytesOf({ type: 'history', data: { sessionId: 'long', messages: all.slice(0, 3), hasMore: false } });

    expect(historyFrame('long', all, false, exact).data.messages).toEqual(all.slice(0, 3));
    expect(historyFrame('long', all, false, exact - 1).data.messages).toEqual(all.slice(0, 2));
    expect(historyFrame('long', all, false, exact).data.hasMore).toBe(true);
  });

  it('always keeps the first message, so paging moves on even under a tiny budget', () => {
    const all = [message(0, 'x'.repeat(500)), message(1, 'y')];

    const frame = historyFrame('long', all, false, 10);

    expect(frame.data.messages).toEqual([all[0]]);
    expect(frame.data.hasMore).toBe(true);
  });

  it('leaves a page that fits as it is', () => {
    const all = [message(0, 'hello'), message(1, 'You said: hello')];

    expect(historyFrame('long', all, false)).toEqual({ type: 'history', data: { sessionId: 'long', messages: all, hasMore: false } });
    expect(historyFrame('long', [], false).data).toEqual({ sessionId: 'long', messages: [], hasMore: false });
  });
});
