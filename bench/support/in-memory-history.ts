import type { InMemoryMessageStore } from '#testkit/in-memory-message-store.ts';
import type { ConversationTurn } from '../../src/domain/conversation.ts';
import type { HistorySource, RecentTurnsQuery } from '../../src/domain/model-reply.ts';

/**
 * The model's context read from an in-memory message store, with DynamoMessageStore.recentTurns'
 * contract (the newest `limit` turns stored before the question, oldest first), so a bench can run
 * the Bedrock responder without DynamoDB on the path.
 */
class InMemoryHistory implements HistorySource {
  readonly #messages: InMemoryMessageStore;

  public constructor(messages: InMemoryMessageStore) {
    this.#messages = messages;
  }

  public async recentTurns(query: RecentTurnsQuery): Promise<ConversationTurn[]> {
    const { messages } = await this.#messages.listSession({ userId: query.userId, sessionId: query.sessionId, limit: Number.MAX_SAFE_INTEGER, nowMs: Date.now() });
    return messages
      .filter((message) => message.messageId < query.beforeMessageId)
      .slice(-query.limit)
      .map((message) => ({ role: message.role === 'assistant' ? 'assistant' : 'user', text: message.message }));
  }
}

export { InMemoryHistory };
