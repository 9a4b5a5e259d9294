import type { ChatMessage } from '../../../src/client/protocol.ts';
import { minMessageIdAt } from '../../../src/protocol/message-id-time.ts';

let counter = 0;

/** A ULID-shaped id at `ms` (the tail keeps ids of the same millisecond in creation order). */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const idAt = (ms: number): string => {
  counter += 1;
  let tail = '';
  for (let rest = counter; rest > 0; rest = Math.floor(rest / 32)) tail = CROCKFORD[rest % 32] + tail;
  return `${minMessageIdAt(ms).slice(0, 10)}${tail.padStart(16, '0')}`;
};

const chat = (overrides: Partial<ChatMessage> & { messageId: string }): ChatMessage => ({
  sessionId: 's1',
  userId: 'alice',
  role: 'user',
  message: 'hello',
  createdAt: new Date(0).toISOString(),
  ...overrides,
});

const chatFrame = (message: ChatMessage) => ({ type: 'chat_message', data: message });
const historyFrame = (sessionId: string, messages: ChatMessage[], hasMore = false) => ({
  type: 'history',
  data: { sessionId, messages, hasMore },
});
const pongFrame = (connectionId = 'conn-1') => ({
  type: 'pong',
  data: { connectionId, serverTime: new Date().toISOString(), expiresAt: 0 },
});
const errorFrame = (code: string, extra: Record<string, unknown> = {}) => ({
  type: 'error',
  error: { code, message: code, ...extra },
  requestId: 'req-1',
});

export { chat, chatFrame, errorFrame, historyFrame, idAt, pongFrame };
