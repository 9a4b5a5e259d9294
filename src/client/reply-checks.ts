import type { Connection } from './connection.ts';
import type { ResolvedOptions } from './options.ts';

interface ReplyCheck {
  count: number;
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * The server sends a reply to the connections that were live when the question arrived, so a reply
 * finished after this client reconnected (and after its resume) never reaches it live: the client
 * looks at the session's history again, a few times, further and further apart. Only on a
 * connection after the first: on the first one every reply is addressed to it.
 */
class ReplyChecks {
  readonly #connection: Connection;
  readonly #options: Pick<ResolvedOptions, 'replyRecheckMs' | 'replyRechecks'>;
  readonly #reconnected: boolean;
  /** Fetches the session's history again. */
  readonly #recheck: (sessionId: string) => void;
  readonly #checks = new Map<string, ReplyCheck>();

  public constructor(connection: Connection, options: Pick<ResolvedOptions, 'replyRecheckMs' | 'replyRechecks'>, reconnected: boolean, recheck: (sessionId: string) => void) {
    this.#connection = connection;
    this.#options = options;
    this.#reconnected = reconnected;
    this.#recheck = recheck;
  }

  /** The session was just resumed: look again later while its newest message is the user's (`awaitsReply`). */
  public schedule(sessionId: string, awaitsReply: boolean): void {
    const check = this.#checks.get(sessionId) ?? { count: 0 };
    this.#connection.cancel(check.timer);
    if (!this.#reconnected || !awaitsReply || check.count >= this.#options.replyRechecks) {
      this.#checks.delete(sessionId);
      return;
    }
    check.timer = this.#connection.after(this.#options.replyRecheckMs * 2 ** check.count, () => {
      check.timer = undefined;
      check.count += 1;
      this.#recheck(sessionId);
    });
    this.#checks.set(sessionId, check);
  }

  /** The reply came, or the session is no longer followed. */
  public cancel(sessionId: string): void {
    this.#connection.cancel(this.#checks.get(sessionId)?.timer);
    this.#checks.delete(sessionId);
  }
}

export { ReplyChecks };
