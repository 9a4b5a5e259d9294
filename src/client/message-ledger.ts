import type { ChatMessage } from './protocol.ts';

/**
 * Why a session's live messages are held back: `resume` while its missed history is fetched,
 * `acknowledgement` while the client's own question is unacknowledged (after a drop the server may
 * have stored it and sent its reply to the new connection before the acknowledgement comes back).
 */
type HoldReason = 'resume' | 'acknowledgement';

interface SessionState {
  /** Delivered ids, oldest first; bounded. */
  seen: Set<string>;
  lastSeen?: string;
  /** The role of the newest message delivered. */
  lastRole?: ChatMessage['role'];
  /** The newest assistant message delivered. */
  lastReply?: string;
  /** Live messages held back while any hold is on. */
  held?: ChatMessage[];
  holds: Set<HoldReason>;
}

const byMessageId = (a: ChatMessage, b: ChatMessage): number => (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0);

/**
 * Decides which messages reach the application: each messageId once and, across a resume or an
 * unacknowledged question, in messageId (time) order: live messages that arrive meanwhile are held
 * back and merged with what history (or the acknowledgement) brings.
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

  /** True when an assistant message newer than `messageId` has been delivered in the session. */
  public repliedAfter(sessionId: string, messageId: string): boolean {
    const lastReply = this.#sessions.get(sessionId)?.lastReply;
    return lastReply !== undefined && lastReply > messageId;
  }

  public isResuming(sessionId: string): boolean {
    return this.#sessions.get(sessionId)?.holds.has('resume') ?? false;
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
    this.#hold(sessionId, 'resume');
  }

  /** Ends the resume: what history returned plus what was held, new ones only, in messageId order (unless another hold is on). */
  public endResume(sessionId: string, fetched: ChatMessage[]): ChatMessage[] {
    return this.#release(sessionId, 'resume', fetched);
  }

  /** The client sent a question to the session: hold live messages until its acknowledgement. */
  public awaitAcknowledgement(sessionId: string): void {
    this.#hold(sessionId, 'acknowledgement');
  }

  /** The acknowledgement came (or the question was given up): what was held, with it, in messageId order. */
  public acknowledged(sessionId: string, acknowledgement?: ChatMessage): ChatMessage[] {
    return this.#release(sessionId, 'acknowledgement', acknowledgement ? [acknowledgement] : []);
  }

  #hold(sessionId: string, reason: HoldReason): void {
    const state = this.#state(sessionId);
    state.holds.add(reason);
    state.held ??= [];
  }

  #release(sessionId: string, reason: HoldReason, arrived: ChatMessage[]): ChatMessage[] {
    const state = this.#state(sessionId);
    state.holds.delete(reason);
    const candidates = [...arrived, ...(state.held ?? [])];
    if (state.holds.size > 0) {
      state.held = candidates;
      return [];
    }
    delete state.held;
    return candidates.sort(byMessageId).filter((message) => this.#accept(state, message));
  }

  #state(sessionId: string): SessionState {
    let state = this.#sessions.get(sessionId);
    if (!state) {
      state = { seen: new Set(), holds: new Set() };
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
    if (message.role === 'assistant' && (state.lastReply === undefined || message.messageId > state.lastReply)) {
      state.lastReply = message.messageId;
    }
    return true;
  }
}

export { MessageLedger };
