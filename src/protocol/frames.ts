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
  /** Assistant replies only: how the reply ended (absent on a complete reply from an echo responder, and on user messages). */
  status?: ReplyStatus;
  /** Assistant replies from a model: the model's own stop reason (`end_turn`, `max_tokens`, ...). */
  stopReason?: string;
  /** Assistant replies from a model: the tokens the turn cost, when the model reported them. */
  usage?: TokenUsage;
}

/**
 * Where an assistant reply is: `streaming` (being generated; `history` returns its text so far), then
 * how it ended: `complete` (the model finished; see `stopReason`), `truncated` (stopped at the
 * generation's deadline), `failed` (the model stream broke or went silent, or the generator crashed:
 * the text is what came before), `cancelled` (stopped on request).
 */
type ReplyStatus = 'streaming' | 'complete' | 'truncated' | 'failed' | 'cancelled';

interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
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

/** The answer to a `cancel` frame, to the sender only (never an error for a finished or unknown reply). */
interface CancelResultFrame {
  type: 'cancel_result';
  data: { sessionId: string; messageId: string; outcome: 'cancelling' | 'finished' | 'unknown'; status?: ReplyStatus };
}

interface ErrorFrame {
  type: 'error';
  error: { code: ErrorCode; message: string; details?: ErrorDetail[]; retryAfterMs?: number };
  requestId: string;
}

type ServerFrame = ChatMessageFrame | ChatMessageChunkFrame | PongFrame | HistoryFrame | CancelResultFrame | ErrorFrame;

const chatMessageFrame = (data: ChatMessage): ChatMessageFrame => ({ type: 'chat_message', data });

export type { CancelResultFrame, ChatMessage, ChatMessageChunkFrame, ChatMessageFrame, ErrorFrame, HistoryFrame, PongFrame, ReplyStatus, ServerFrame, TokenUsage };
export { chatMessageFrame };
