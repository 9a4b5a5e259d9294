import type { ChatMessage } from './protocol.ts';

interface SessionState {
  /** Delivered ids, oldest first; bounded. */
  seen: Set<string>;
  lastSeen?: string;
  /** The role of the newest message delivered. */
  lastRole?: ChatMessage['role'];
  /** Live messages held back while the session's history is being fetched. */
  held?: ChatMessage[];
}

/**
 * Decides which messages reach the application: each messageId once, and, while a session resumes
 * after a reconnect, everything in messageId (time) order: live messages that arrive during the
 * resume are held back and merged with what history returns.
 */
class MessageLedger {
  readonly #sessions = new Map<string, SessionState>();
  readonly #remember: number;

  /** @param remember delivered ids kept per session for the dedupe (older ones are never fetched again). */
  public constructor(remember = 1000) {
    this.#remember = remember;
  }

  public lastSeen(sessionId: string): string | undefined {
    return this.#sessions.get(sessionId)?.lastSeen;
  }

  /** True when the newest message delivered in the session is the user's: a reply may still be on its way. */
  public awaitsReply(sessionId: string): boolean {
    return this.#sessions.get(sessionId)?.lastRole === 'user';
  }

  public isResuming(sessionId: string): boolean {
    return this.#sessions.get(sessionId)?.held !== undefined;
  }

  /** A live message: returns what to deliver now (nothing if it is a duplicate or held back). */
  public live(message: ChatMessage): ChatMessage[] {
    const state = this.#state(message.sessionId);
    if (state.held) {
      state.held.push(message);
      return [];
    }
    return this.#accept(state, message) ? [message] : [];
  }

  /** Starts holding back live messages of the session; a resume cut short keeps what it held. */
  public beginResume(sessionId: string): void {
    const state = this.#state(sessionId);
    state.held ??= [];
  }

  /** Ends the resume: what history returned plus what was held, new ones only, in messageId order. */
  public endResume(sessionId: string, fetched: ChatMessage[]): ChatMessage[] {
    const state = this.#state(sessionId);
    const candidates = [...fetched, ...(state.held ?? [])].sort((a, b) => (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0));
    delete state.held;
    return candidates.filter((message) => this.#accept(state, message));
  }

  #state(sessionId: string): SessionState {
    let state = this.#sessions.get(sessionId);
    if (!state) {
      state = { seen: new Set() };
      this.#sessions.set(sessionId, state);
    }
    return state;
  }

  #accept(state: SessionState, message: ChatMessage): boolean {
    if (state.seen.has(message.messageId)) return false;
    state.seen.add(message.messageId);
    if (state.seen.size > this.#remember) {
      const oldest = state.seen.values().next().value as string;
      state.seen.delete(oldest);
    }
    if (state.lastSeen === undefined || message.messageId > state.lastSeen) {
      state.lastSeen = message.messageId;
      state.lastRole = message.role;
    }
    return true;
  }
}

export { MessageLedger };
