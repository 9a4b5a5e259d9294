import type { ErrorCode, ErrorDetail } from './error-codes.ts';

/** The server's frames (README, "Protocol"), as the server builds them and the browser client reads them. */
interface ChatMessage {
  messageId: string;
  sessionId: string;
  userId: string;
  role: 'user' | 'assistant';
  message: string;
  createdAt: string;
  clientMessageId?: string;
}

interface ChatMessageFrame {
  type: 'chat_message';
  data: ChatMessage;
}

/** A batch of a streaming reply: `seq` counts the reply's chunk frames from 0; `offset` is where `delta` starts in the reply, in code points. */
interface ChatMessageChunkFrame {
  type: 'chat_message_chunk';
  data: { messageId: string; sessionId: string; seq: number; offset: number; delta: string };
}

interface PongFrame {
  type: 'pong';
  data: { connectionId: string; serverTime: string; expiresAt: number };
}

interface HistoryFrame {
  type: 'history';
  data: { sessionId: string; messages: ChatMessage[]; hasMore: boolean };
}

interface ErrorFrame {
  type: 'error';
  error: { code: ErrorCode; message: string; details?: ErrorDetail[]; retryAfterMs?: number };
  requestId: string;
}

type ServerFrame = ChatMessageFrame | ChatMessageChunkFrame | PongFrame | HistoryFrame | ErrorFrame;

const chatMessageFrame = (data: ChatMessage): ChatMessageFrame => ({ type: 'chat_message', data });

export type { ChatMessage, ChatMessageChunkFrame, ChatMessageFrame, ErrorFrame, HistoryFrame, PongFrame, ServerFrame };
export { chatMessageFrame };
