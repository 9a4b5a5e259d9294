import type { StoredChatMessage } from '../domain/message-store.ts';
import type { ReplyStatus, TokenUsage } from '../protocol/frames.ts';

/*
 * The messages table's keys and items, shared by the message store and the reply store: partition =
 * the user's session, sort = `MSG#<ULID>` for messages, `CLIENT#<id>` for resend markers, `TURN` for
 * the session's answer in progress.
 */
const MESSAGE_PREFIX = 'MSG#';
const CLIENT_ID_PREFIX = 'CLIENT#';

/** sessionId cannot contain '#', so the key splits unambiguously even when a userId does. */
const sessionKey = (userId: string, sessionId: string): string => `${userId}#${sessionId}`;

const text = (value: unknown): string => (typeof value === 'string' ? value : String(value ?? ''));

const REPLY_STATUSES: readonly ReplyStatus[] = ['streaming', 'complete', 'truncated', 'failed', 'cancelled'];

const statusOf = (value: unknown): ReplyStatus | undefined => REPLY_STATUSES.find((status) => status === value);

const usageOf = (value: unknown): TokenUsage | undefined => {
  if (typeof value !== 'object' || value === null) return undefined;
  const { inputTokens, outputTokens } = value as Record<string, unknown>;
  return typeof inputTokens === 'number' && typeof outputTokens === 'number' ? { inputTokens, outputTokens } : undefined;
};

/** A reply's end as stored: only the fields it has. */
const replyEnd = (item: Record<string, unknown>): Pick<StoredChatMessage, 'status' | 'stopReason' | 'usage'> => {
  const status = statusOf(item.status);
  const usage = usageOf(item.usage);
  return {
    ...(status === undefined ? {} : { status }),
    ...(typeof item.stopReason === 'string' ? { stopReason: item.stopReason } : {}),
    ...(usage === undefined ? {} : { usage }),
  };
};

/** A stored item as a message: the table's own attributes (keys, TTL) left out; optional fields only when stored. */
const toMessage = (item: Record<string, unknown>): StoredChatMessage => ({
  messageId: text(item.messageId),
  sessionId: text(item.sessionId),
  userId: text(item.userId),
  role: item.role === 'assistant' ? 'assistant' : 'user',
  message: text(item.message),
  createdAt: text(item.createdAt),
  ...(typeof item.clientMessageId === 'string' ? { clientMessageId: item.clientMessageId } : {}),
  ...(typeof item.replyTo === 'string' ? { replyTo: item.replyTo } : {}),
  ...replyEnd(item),
});

export { CLIENT_ID_PREFIX, MESSAGE_PREFIX, sessionKey, text, toMessage };
