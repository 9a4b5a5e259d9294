import type { ChatMessage } from '../protocol/frames.ts';

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
  /**
   * Stores once per (user, session, clientMessageId). A new message with a clientMessageId comes with
   * a reply lease held for its invocation (REPLY_LEASE_MS).
   */
  saveUserMessage(message: StoredChatMessage): Promise<SaveResult>;
  /** Whether an assistant reply to this question is stored (a `failed` one does not count: the question may be asked again). */
  hasReply(question: StoredChatMessage): Promise<boolean>;
  /** Takes the question's reply lease if it is free or expired; false when someone holds it. */
  claimReplyLease(question: StoredChatMessage, nowMs: number): Promise<boolean>;
  /** Frees the question's reply lease (its invocation failed before answering). */
  releaseReplyLease(question: StoredChatMessage): Promise<void>;
  saveAssistantMessage(message: StoredChatMessage): Promise<void>;
  listSession(query: HistoryQuery): Promise<HistoryPage>;
}

/** Longer than any invocation can run (API Gateway's integration timeout is 29 s). */
const REPLY_LEASE_MS = 60_000;

export type { HistoryPage, HistoryQuery, MessageStore, SaveResult, StoredChatMessage };
export { REPLY_LEASE_MS };
