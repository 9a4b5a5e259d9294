import type { ChatMessage } from '../domain/frames.ts';

interface StoredChatMessage extends ChatMessage {
  /** For assistant messages: the user message it answers. */
  replyTo?: string;
}

interface SaveResult {
  message: StoredChatMessage;
  /** True when this clientMessageId was already stored; `message` is then the original. */
  duplicate: boolean;
}

interface HistoryPage {
  messages: StoredChatMessage[];
  hasMore: boolean;
}

interface HistoryQuery {
  userId: string;
  sessionId: string;
  after?: string;
  limit: number;
  nowMs: number;
}

/** A user's conversation history, per session. Sessions are always scoped by userId. */
interface MessageStore {
  /** Stores once per (user, session, clientMessageId). */
  saveUserMessage(message: StoredChatMessage): Promise<SaveResult>;
  saveAssistantMessage(message: StoredChatMessage): Promise<void>;
  listSession(query: HistoryQuery): Promise<HistoryPage>;
}

export type { StoredChatMessage, SaveResult, HistoryPage, HistoryQuery, MessageStore };
