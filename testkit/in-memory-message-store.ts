import { type HistoryPage, type HistoryQuery, type MessageStore, REPLY_LEASE_MS, type SaveResult, type StoredChatMessage } from '../src/domain/message-store.ts';

/** A MessageStore in memory, for unit tests and the warm-overhead benchmark (no I/O). */
class InMemoryMessageStore implements MessageStore {
  private readonly sessions = new Map<string, StoredChatMessage[]>();
  private readonly byClientId = new Map<string, StoredChatMessage>();
  private readonly leases = new Map<string, number>();

  public async saveUserMessage(message: StoredChatMessage): Promise<SaveResult> {
    if (message.clientMessageId !== undefined) {
      const key = `${message.userId}#${message.sessionId}#${message.clientMessageId}`;
      const original = this.byClientId.get(key);
      if (original) return { message: original, duplicate: true };
      this.byClientId.set(key, message);
      this.leases.set(key, Date.parse(message.createdAt) + REPLY_LEASE_MS);
    }
    this.append(message);
    return { message, duplicate: false };
  }

  public async hasReply(question: StoredChatMessage): Promise<boolean> {
    return (this.sessions.get(`${question.userId}#${question.sessionId}`) ?? []).some((message) => message.replyTo === question.messageId && message.status !== 'failed');
  }

  public async claimReplyLease(question: StoredChatMessage, nowMs: number): Promise<boolean> {
    const key = `${question.userId}#${question.sessionId}#${question.clientMessageId}`;
    const until = this.leases.get(key);
    if (until !== undefined && until >= nowMs) return false;
    this.leases.set(key, nowMs + REPLY_LEASE_MS);
    return true;
  }

  public async releaseReplyLease(question: StoredChatMessage): Promise<void> {
    this.leases.delete(`${question.userId}#${question.sessionId}#${question.clientMessageId}`);
  }

  public async saveAssistantMessage(message: StoredChatMessage): Promise<void> {
    this.append(message);
  }

  public async listSession(query: HistoryQuery): Promise<HistoryPage> {
    const all = this.sessions.get(`${query.userId}#${query.sessionId}`) ?? [];
    const after = query.after;
    const newer = after === undefined ? all : all.filter((message) => message.messageId > after);
    return { messages: newer.slice(0, query.limit), hasMore: newer.length > query.limit };
  }

  /** A stored message by its key (for the in-memory reply store). */
  public find(userId: string, sessionId: string, messageId: string): StoredChatMessage | undefined {
    return this.sessions.get(`${userId}#${sessionId}`)?.find((message) => message.messageId === messageId);
  }

  /** Replaces a stored message with the same id, or stores it (for the in-memory reply store). */
  public put(message: StoredChatMessage): void {
    const session = this.sessions.get(`${message.userId}#${message.sessionId}`) ?? [];
    const index = session.findIndex((stored) => stored.messageId === message.messageId);
    if (index === -1) this.append(message);
    else session[index] = message;
  }

  private append(message: StoredChatMessage): void {
    const key = `${message.userId}#${message.sessionId}`;
    const session = this.sessions.get(key) ?? [];
    session.push(message);
    session.sort((a, b) => (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0));
    this.sessions.set(key, session);
  }
}

export { InMemoryMessageStore };
