import type { ChatMessage } from './protocol.ts';

/** A chat message the server has not acknowledged yet. */
interface OutgoingMessage {
  readonly clientMessageId: string;
  readonly sessionId: string;
  readonly message: string;
  /** Sent on the current connection and waiting for the server's copy. */
  inFlight: boolean;
  /** Sends that got no answer (timeouts, server errors); reconnect resends are not counted. */
  failures: number;
  /** The server acknowledged it once already: it is back in the queue only to have its reply produced again. */
  stored?: boolean;
  resolve(message: ChatMessage): void;
  reject(error: Error): void;
}

/** Thrown by `send` when the offline queue is full. */
class OutboxFullError extends Error {
  public readonly capacity: number;

  public constructor(capacity: number) {
    super(`The outgoing queue is full (${capacity} unacknowledged messages); wait for the connection to come back`);
    this.name = 'OutboxFullError';
    this.capacity = capacity;
  }
}

/**
 * The bounded, ordered queue of unacknowledged chat messages. A message leaves it when the server's
 * copy (same clientMessageId) comes back, so a message cut off by a drop is sent again after the
 * reconnect; the server stores a resend once.
 */
class Outbox {
  readonly #capacity: number;
  readonly #entries: OutgoingMessage[] = [];

  public constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('outbox capacity must be a positive integer');
    this.#capacity = capacity;
  }

  public get size(): number {
    return this.#entries.length;
  }

  public get capacity(): number {
    return this.#capacity;
  }

  /** @throws {OutboxFullError} when `capacity` messages are already waiting */
  public add(entry: OutgoingMessage): void {
    if (this.#entries.length >= this.#capacity) throw new OutboxFullError(this.#capacity);
    this.#entries.push(entry);
  }

  /** The oldest unacknowledged message: the only one the client has in flight (sent one at a time, in order). */
  public head(): OutgoingMessage | undefined {
    return this.#entries[0];
  }

  /** Removes and returns the message the server acknowledged, wherever it is in the queue. */
  public acknowledge(clientMessageId: string): OutgoingMessage | undefined {
    const index = this.#entries.findIndex((entry) => entry.clientMessageId === clientMessageId);
    if (index < 0) return undefined;
    const [entry] = this.#entries.splice(index, 1);
    return entry;
  }

  /**
   * Puts an acknowledged message back at the head, beyond the capacity if need be: its reply failed,
   * and a resend with the same clientMessageId makes the server answer it (it is not stored again).
   */
  public retryFirst(entry: OutgoingMessage): void {
    entry.inFlight = false;
    entry.stored = true;
    this.#entries.unshift(entry);
  }

  /** A new connection: nothing is in flight on it yet. */
  public resetInFlight(): void {
    for (const entry of this.#entries) entry.inFlight = false;
  }

  public list(): ReadonlyArray<Readonly<OutgoingMessage>> {
    return [...this.#entries];
  }
}

export type { OutgoingMessage };
export { Outbox, OutboxFullError };
