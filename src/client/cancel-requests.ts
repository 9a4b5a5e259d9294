import { ConnectionClosedError } from './errors.ts';
import type { CancelResult } from './protocol.ts';

interface CancelWaiter {
  sessionId: string;
  messageId: string;
  resolve(result: CancelResult): void;
  reject(error: Error): void;
}

/**
 * The `cancel` requests waiting for their `cancel_result` on one connection. A cancel is harmless
 * to repeat (a finished reply answers `finished`), so one that a RATE_LIMITED pause left unanswered
 * is sent again; when the connection goes, each waiting one rejects with ConnectionClosedError.
 */
class CancelRequests {
  #waiters: CancelWaiter[] = [];

  /** Waits for the answer about the reply; the caller sends the frame. */
  public request(sessionId: string, messageId: string): Promise<CancelResult> {
    return new Promise<CancelResult>((resolve, reject) => {
      this.#waiters.push({ sessionId, messageId, resolve, reject });
    });
  }

  public static frame(sessionId: string, messageId: string): string {
    return JSON.stringify({ action: 'cancel', data: { sessionId, messageId } });
  }

  /** Resolves every request about the reply the answer names. */
  public answered(result: CancelResult): void {
    const matching = (waiter: CancelWaiter): boolean => waiter.sessionId === result.sessionId && waiter.messageId === result.messageId;
    for (const waiter of this.#waiters.filter(matching)) waiter.resolve(result);
    this.#waiters = this.#waiters.filter((waiter) => !matching(waiter));
  }

  /** The replies still waiting for an answer, once each. */
  public unanswered(): Array<{ sessionId: string; messageId: string }> {
    const keys = new Map(this.#waiters.map(({ sessionId, messageId }) => [`${sessionId}\n${messageId}`, { sessionId, messageId }]));
    return [...keys.values()];
  }

  public dispose(): void {
    const closed = new ConnectionClosedError('The connection closed before the cancel_result');
    for (const waiter of this.#waiters.splice(0)) waiter.reject(closed);
  }
}

export { CancelRequests };
