import type { Connection } from './connection.ts';

/** The server persists a streaming reply's text at least every second: history asked sooner may not hold the missing text yet. */
const GAP_RECHECK_MS = 1000;
/** History fetches per session on one connection while a gap stays open; the final `chat_message` brings the whole text anyway. */
const MAX_GAP_RECHECKS = 30;

/**
 * A streaming reply has a gap (chunks were missed, e.g. while reconnecting, and history did not yet
 * hold the missing text): the client fetches the session's history again a little later, until the
 * gap is filled. Lives with its connection: a reconnect resumes every session anyway.
 */
class GapChecks {
  readonly #connection: Connection;
  /** Fetches the session's history again. */
  readonly #recheck: (sessionId: string) => void;
  readonly #checks = new Map<string, { count: number; timer?: ReturnType<typeof setTimeout> }>();

  public constructor(connection: Connection, recheck: (sessionId: string) => void) {
    this.#connection = connection;
    this.#recheck = recheck;
  }

  /** The session has a gap: fetch its history again soon, unless a fetch is already planned or the checks are spent. */
  public schedule(sessionId: string): void {
    const check = this.#checks.get(sessionId) ?? { count: 0 };
    this.#checks.set(sessionId, check);
    if (check.timer !== undefined || check.count >= MAX_GAP_RECHECKS) return;
    check.timer = this.#connection.after(GAP_RECHECK_MS, () => {
      check.timer = undefined;
      check.count += 1;
      this.#recheck(sessionId);
    });
  }

  /** The gap is filled (or the session no longer followed): nothing more to fetch. */
  public cancel(sessionId: string): void {
    this.#connection.cancel(this.#checks.get(sessionId)?.timer);
    this.#checks.delete(sessionId);
  }
}

export { GAP_RECHECK_MS, GapChecks };
