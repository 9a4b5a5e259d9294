import { fullJitterDelay } from './backoff.ts';
import type { Connection } from './connection.ts';
import { HistoryFailedError } from './errors.ts';
import type { ResolvedOptions } from './options.ts';
import type { HistoryPage } from './protocol.ts';

/** A page, `undefined` when the connection dropped first, or the error when the client gave up on it. */
type HistoryAnswer = HistoryPage | undefined | HistoryFailedError;

interface HistoryWaiter {
  after: string | undefined;
  /** The page size asked for; halved after MESSAGE_TOO_LARGE. */
  limit: number;
  /** Requests for this page that got no answer in time or an error frame. */
  failures: number;
  /** Sent, and not answered yet. */
  inFlight: boolean;
  resolve(answer: HistoryAnswer): void;
  /** While in flight the answer's timeout; after a failure the backoff before the next request. */
  timer?: ReturnType<typeof setTimeout>;
}

type HistoryOptions = Pick<ResolvedOptions, 'historyPageSize' | 'requestTimeoutMs' | 'maxHistoryAttempts' | 'reconnect' | 'random'>;

/**
 * The history pages asked for on one connection, at most one per session. A request that gets no
 * answer in time or an error frame is asked again after a backoff delay, up to `maxHistoryAttempts`;
 * when the connection goes, every page still waited for is answered `undefined`.
 */
class HistoryRequests {
  readonly #connection: Connection;
  readonly #options: HistoryOptions;
  /** Queues the session's request frame for sending. */
  readonly #enqueue: (sessionId: string) => void;
  readonly #waiters = new Map<string, HistoryWaiter>();

  public constructor(connection: Connection, options: HistoryOptions, enqueue: (sessionId: string) => void) {
    this.#connection = connection;
    this.#options = options;
    this.#enqueue = enqueue;
  }

  /** Asks for the session's page after `after`; a request of the same session still waiting is answered `undefined`. */
  public request(sessionId: string, after: string | undefined): Promise<HistoryAnswer> {
    return new Promise((resolve) => {
      const previous = this.#waiters.get(sessionId);
      this.#connection.cancel(previous?.timer);
      previous?.resolve(undefined);
      this.#waiters.set(sessionId, { after, limit: this.#options.historyPageSize, failures: 0, inFlight: false, resolve });
      this.#enqueue(sessionId);
    });
  }

  /** The `history` frame to send for the session now (its answer timed from now), or undefined when nothing waits. */
  public frame(sessionId: string): string | undefined {
    const waiter = this.#waiters.get(sessionId);
    if (!waiter) return undefined;
    const data = {
      sessionId,
      ...(waiter.after === undefined ? {} : { after: waiter.after }),
      limit: waiter.limit,
    };
    this.#connection.cancel(waiter.timer);
    waiter.inFlight = true;
    waiter.timer = this.#connection.after(this.#options.requestTimeoutMs, () => this.#attemptFailed(sessionId, waiter, 'no answer'));
    return JSON.stringify({ action: 'history', data });
  }

  public answered(page: HistoryPage): void {
    const waiter = this.#waiters.get(page.sessionId);
    if (!waiter) return;
    this.#waiters.delete(page.sessionId);
    this.#connection.cancel(waiter.timer);
    waiter.resolve(page);
  }

  /** Every request in flight failed (an error frame names none): each is asked again later, MESSAGE_TOO_LARGE ones for half the page. */
  public failInFlight(problem: 'INTERNAL_ERROR' | 'MESSAGE_TOO_LARGE'): void {
    for (const [sessionId, waiter] of this.#waiters) {
      if (!waiter.inFlight) continue;
      // Only a history page can outgrow API Gateway's message limit: ask for fewer messages.
      if (problem === 'MESSAGE_TOO_LARGE') waiter.limit = Math.max(1, Math.floor(waiter.limit / 2));
      this.#attemptFailed(sessionId, waiter, problem);
    }
  }

  /** Takes back the requests in flight, to be sent again at once; returns their sessions. A page waiting out its backoff goes again when that ends. */
  public takeBackInFlight(): string[] {
    const sessions: string[] = [];
    for (const [sessionId, waiter] of this.#waiters) {
      if (!waiter.inFlight) continue;
      this.#connection.cancel(waiter.timer);
      waiter.timer = undefined;
      waiter.inFlight = false;
      sessions.push(sessionId);
    }
    return sessions;
  }

  /** The connection went: nothing waited for will come on it (the timers went with the connection). */
  public dispose(): void {
    for (const waiter of this.#waiters.values()) waiter.resolve(undefined);
    this.#waiters.clear();
  }

  /**
   * A history request got no answer in time or an error frame: ask again after a backoff delay, or
   * give up after `maxHistoryAttempts`, so a page the server cannot send never holds the session forever.
   */
  #attemptFailed(sessionId: string, waiter: HistoryWaiter, problem: string): void {
    if (this.#waiters.get(sessionId) !== waiter) return;
    this.#connection.cancel(waiter.timer);
    waiter.timer = undefined;
    waiter.inFlight = false;
    waiter.failures += 1;
    if (waiter.failures >= this.#options.maxHistoryAttempts) {
      this.#waiters.delete(sessionId);
      waiter.resolve(new HistoryFailedError(sessionId, waiter.failures, problem));
      return;
    }
    waiter.timer = this.#connection.after(fullJitterDelay(waiter.failures - 1, this.#options.reconnect, this.#options.random), () => {
      waiter.timer = undefined;
      this.#enqueue(sessionId);
    });
  }
}

export type { HistoryAnswer };
export { HistoryRequests };
