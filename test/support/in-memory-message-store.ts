import type { HistoryPage, HistoryQuery, MessageStore, SaveResult, StoredChatMessage } from '../../src/data/message-store.ts';

/** A MessageStore in memory, for unit tests and the warm-overhead benchmark (no I/O). */
class InMemoryMessageStore implements MessageStore {
  private readonly sessions = new Map<string, StoredChatMessage[]>();
  private readonly byClientId = new Map<string, StoredChatMessage>();

  public async saveUserMessage(message: StoredChatMessage): Promise<SaveResult> {
    if (message.clientMessageId !== undefined) {
      const key = `${message.userId}#${message.sessionId}#${message.clientMessageId}`;
      const original = this.byClientId.get(key);
      if (original) return { message: original, duplicate: true };
      this.byClientId.set(key, message);
    }
    this.append(message);
    return { message, duplicate: false };
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

  private append(message: StoredChatMessage): void {
    const key = `${message.userId}#${message.sessionId}`;
    const session = this.sessions.get(key) ?? [];
    session.push(message);
    this.sessions.set(key, session);
  }
}

export { InMemoryMessageStore };
