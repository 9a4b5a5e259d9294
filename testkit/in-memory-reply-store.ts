import type { StoredChatMessage } from '../src/domain/message-store.ts';
import type { CancelOutcome, ReplyClaim, ReplyEnd, ReplyKey, ReplyStore, SessionTurn, TurnClaim } from '../src/domain/reply-store.ts';
import type { InMemoryMessageStore } from './in-memory-message-store.ts';

interface ReplyState {
  attempts: number;
  beatAt: number;
  cancelRequested: boolean;
}

/** The reply lifecycle's rules in memory, over an InMemoryMessageStore (so history sees the replies). */
class InMemoryReplyStore implements ReplyStore {
  readonly #messages: InMemoryMessageStore;
  readonly #turns = new Map<string, SessionTurn & { untilMs: number }>();
  readonly #states = new Map<string, ReplyState>();

  public constructor(messages: InMemoryMessageStore) {
    this.#messages = messages;
  }

  public async claimTurn(userId: string, sessionId: string, turn: SessionTurn, nowMs: number, untilMs: number): Promise<TurnClaim> {
    const held = this.#turns.get(`${userId}#${sessionId}`);
    if (held && held.untilMs >= nowMs) return held.clientMessageId === undefined ? { claimed: false } : { claimed: false, clientMessageId: held.clientMessageId };
    this.#turns.set(`${userId}#${sessionId}`, { ...turn, untilMs });
    return { claimed: true };
  }

  public async releaseTurn(userId: string, sessionId: string, replyMessageId: string): Promise<void> {
    const turn = this.#turns.get(`${userId}#${sessionId}`);
    if (turn?.replyMessageId === replyMessageId) turn.untilMs = 0;
  }

  public async startReply(reply: StoredChatMessage): Promise<void> {
    if (this.#find(reply)) throw new Error(`Reply ${reply.messageId} already exists`);
    this.#messages.put({ ...reply, status: 'streaming' });
    this.#states.set(reply.messageId, { attempts: 0, beatAt: 0, cancelRequested: false });
  }

  public async claimReply(key: ReplyKey, nowMs: number, staleMs: number): Promise<ReplyClaim> {
    const reply = this.#find(key);
    const state = this.#states.get(key.messageId);
    if (!reply || !state || reply.status !== 'streaming') return { outcome: 'finished' };
    if (state.attempts > 0 && state.beatAt >= nowMs - staleMs) return { outcome: 'busy' };
    const first = state.attempts === 0;
    state.attempts += 1;
    state.beatAt = nowMs;
    return { outcome: first ? 'generate' : 'recover', reply };
  }

  public async persistText(key: ReplyKey, message: string, nowMs: number): Promise<{ cancelRequested: boolean }> {
    const reply = this.#find(key);
    const state = this.#states.get(key.messageId);
    if (!reply || !state || reply.status !== 'streaming') return { cancelRequested: true };
    this.#messages.put({ ...reply, message });
    state.beatAt = nowMs;
    return { cancelRequested: state.cancelRequested };
  }

  public async isCancelRequested(key: ReplyKey): Promise<boolean> {
    const reply = this.#find(key);
    return reply?.status !== 'streaming' || this.#states.get(key.messageId)?.cancelRequested === true;
  }

  public async finishReply(key: ReplyKey, end: ReplyEnd): Promise<StoredChatMessage | undefined> {
    const reply = this.#find(key);
    if (reply?.status !== 'streaming') return undefined;
    const ended: StoredChatMessage = { ...reply, ...end };
    this.#messages.put(ended);
    return ended;
  }

  public async requestCancel(key: ReplyKey): Promise<CancelOutcome> {
    const reply = this.#find(key);
    if (reply?.role !== 'assistant') return { outcome: 'unknown' };
    if (reply.status !== 'streaming') return { outcome: 'finished', status: reply.status ?? 'complete' };
    const state = this.#states.get(key.messageId);
    if (state) state.cancelRequested = true;
    return { outcome: 'cancelling' };
  }

  public async getMessage(key: ReplyKey): Promise<StoredChatMessage | undefined> {
    return this.#find(key);
  }

  #find(key: ReplyKey): StoredChatMessage | undefined {
    return this.#messages.find(key.userId, key.sessionId, key.messageId);
  }
}

export { InMemoryReplyStore };
