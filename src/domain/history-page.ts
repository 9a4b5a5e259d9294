import type { ChatMessage, HistoryFrame } from '../protocol/frames.ts';

/** API Gateway refuses a post to a connection above 128 KB (413 PayloadTooLargeException). */
const MESSAGE_LIMIT_BYTES = 128 * 1024;

/**
 * A history frame stays this far under the limit: API Gateway counts the posted bytes, but its
 * documentation does not say whether "128 KB" means 128,000 or 131,072, so the page leaves room for both
 * and more. One message always fits: 4,000 characters escaped by JSON are at most 24,000 bytes.
 */
const HISTORY_FRAME_BUDGET_BYTES = 96 * 1024;

const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * The `history` frame for messages read from the store, cut by size: as many messages, oldest first,
 * as fit in `budgetBytes` of UTF-8 once the frame is serialized (the bytes the post carries). A cut
 * page says `hasMore: true`, so the client asks again with `after` = its last message; the first
 * message is always kept, so paging always moves on.
 * @example historyFrame('support-42', page.messages, page.hasMore) // { type: 'history', data: {...} }
 * @default budgetBytes HISTORY_FRAME_BUDGET_BYTES (96 KiB)
 */
const historyFrame = (sessionId: string, messages: readonly ChatMessage[], hasMore: boolean, budgetBytes = HISTORY_FRAME_BUDGET_BYTES): HistoryFrame => {
  // `false` is the longer spelling, so this bounds the frame whichever hasMore it ends with.
  let size = utf8Bytes(JSON.stringify({ type: 'history', data: { sessionId, messages: [], hasMore: false } }));
  let count = 0;
  for (const message of messages) {
    const added = utf8Bytes(JSON.stringify(message)) + (count > 0 ? 1 : 0);
    if (count > 0 && size + added > budgetBytes) break;
    size += added;
    count += 1;
  }
  return { type: 'history', data: { sessionId, messages: messages.slice(0, count), hasMore: hasMore || count < messages.length } };
};

export { HISTORY_FRAME_BUDGET_BYTES, historyFrame, MESSAGE_LIMIT_BYTES, utf8Bytes };
