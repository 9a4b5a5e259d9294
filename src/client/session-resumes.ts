import type { ChatLink } from './chat-link.ts';
import { ConnectionClosedError, HistoryFailedError } from './errors.ts';
import { resumePoint } from './message-ids.ts';
import type { MessageLedger } from './message-ledger.ts';
import type { ChatMessage } from './protocol.ts';

interface Deferred {
  resolve(): void;
  reject(error: Error): void;
}

interface ResumeDependencies {
  ledger: MessageLedger;
  resumeOverlapMs: number;
  /** The link of the open connection, if there is one. */
  link(): ChatLink | undefined;
  /** Hands messages to the application, in the order given. */
  deliver(messages: ChatMessage[]): void;
  /** After the stored messages: the replies history returned still `streaming` (text so far), maybe none. */
  streamed(sessionId: string, replies: ChatMessage[]): void;
  historyFailed(sessionId: string, error: HistoryFailedError): void;
}

/** A reply still being generated is not a stored message yet: it goes to the streams, not to the ledger (its final copy will). */
const isStreaming = (message: ChatMessage): boolean => message.status === 'streaming';

/**
 * The sessions the client follows, and their resumes: after every (re)connect each one fetches what it
 * missed (history after the last message seen), page by page, and delivers it merged with the live
 * messages held back meanwhile. A resume cut short by a drop keeps holding them: the next one merges
 * them in order.
 */
class SessionResumes {
  readonly #deps: ResumeDependencies;
  /** Sessions resumed after every reconnect. */
  readonly #sessions = new Set<string>();
  /** Where a session followed only because it was sent to starts its resume. */
  readonly #resumeFloor = new Map<string, string>();
  readonly #running = new Map<string, Promise<boolean>>();
  readonly #caughtUp = new Map<string, Deferred[]>();

  public constructor(deps: ResumeDependencies) {
    this.#deps = deps;
  }

  /** A message was sent to the session: follow it, from `floor` when nothing of it has been seen. */
  public followSent(sessionId: string, floor: () => string): void {
    if (this.#sessions.has(sessionId)) return;
    this.#sessions.add(sessionId);
    if (this.#deps.ledger.lastSeen(sessionId) === undefined) this.#resumeFloor.set(sessionId, floor());
  }

  /** Follows the session from its oldest message; resolves once it is caught up. */
  public open(sessionId: string): Promise<void> {
    this.#sessions.add(sessionId);
    this.#resumeFloor.delete(sessionId);
    const caughtUp = new Promise<void>((resolve, reject) => {
      const waiters = this.#caughtUp.get(sessionId) ?? [];
      waiters.push({ resolve, reject });
      this.#caughtUp.set(sessionId, waiters);
    });
    if (this.#deps.link() !== undefined) this.resumeIfIdle(sessionId);
    return caughtUp;
  }

  public follows(sessionId: string): boolean {
    return this.#sessions.has(sessionId);
  }

  public close(sessionId: string): void {
    this.#sessions.delete(sessionId);
    this.#resumeFloor.delete(sessionId);
    const closed = new ConnectionClosedError(`Session ${sessionId} was closed before it caught up`);
    for (const waiter of this.#caughtUp.get(sessionId) ?? []) waiter.reject(closed);
    this.#caughtUp.delete(sessionId);
  }

  /** A connection opened: every session followed fetches what it missed. */
  public resumeAll(): void {
    for (const sessionId of this.#sessions) void this.#resume(sessionId);
  }

  public resumeIfIdle(sessionId: string): void {
    if (!this.#running.has(sessionId)) void this.#resume(sessionId);
  }

  /** The client stopped: every `openSession` still waiting rejects. */
  public rejectWaiting(error: Error): void {
    for (const waiters of this.#caughtUp.values()) for (const waiter of waiters) waiter.reject(error);
    this.#caughtUp.clear();
  }

  #resume(sessionId: string): Promise<boolean> {
    const run = this.#fetchMissed(sessionId).finally(() => {
      if (this.#running.get(sessionId) === run) this.#running.delete(sessionId);
    });
    this.#running.set(sessionId, run);
    return run;
  }

  async #fetchMissed(sessionId: string): Promise<boolean> {
    const { ledger } = this.#deps;
    ledger.beginResume(sessionId);
    const lastSeen = ledger.lastSeen(sessionId);
    let after = lastSeen === undefined ? this.#resumeFloor.get(sessionId) : resumePoint(lastSeen, this.#deps.resumeOverlapMs);
    const fetched: ChatMessage[] = [];
    for (;;) {
      const page = await (this.#deps.link()?.requestHistory(sessionId, after) ?? Promise.resolve(undefined));
      // The connection dropped: keep holding live messages back; the next connection resumes again.
      if (!page) return false;
      if (page instanceof HistoryFailedError) {
        this.#gaveUp(sessionId, fetched, page);
        return false;
      }
      fetched.push(...page.messages);
      const newest = page.messages.at(-1)?.messageId;
      if (newest !== undefined && (after === undefined || newest > after)) after = newest;
      if (!page.hasMore || newest === undefined) break;
    }
    this.#handOut(sessionId, fetched);
    for (const waiter of this.#caughtUp.get(sessionId)?.splice(0) ?? []) waiter.resolve();
    this.#deps.link()?.replyChecks.schedule(sessionId, ledger.awaitsReply(sessionId));
    return true;
  }

  /** Stops holding the session back: what was fetched and what arrived live go out, and the failure is told. */
  #gaveUp(sessionId: string, fetched: ChatMessage[], error: HistoryFailedError): void {
    this.#handOut(sessionId, fetched);
    for (const waiter of this.#caughtUp.get(sessionId)?.splice(0) ?? []) waiter.reject(error);
    this.#deps.historyFailed(sessionId, error);
  }

  /** Ends the resume: stored messages (with the live ones held) first, then the text so far of replies still streaming. */
  #handOut(sessionId: string, fetched: ChatMessage[]): void {
    this.#deps.deliver(
      this.#deps.ledger.endResume(
        sessionId,
        fetched.filter((message) => !isStreaming(message)),
      ),
    );
    this.#deps.streamed(sessionId, fetched.filter(isStreaming));
  }
}

export { SessionResumes };
