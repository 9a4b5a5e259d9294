import type { WebSocketLike } from './options.ts';

const OPEN = 1;

type Timer = ReturnType<typeof setTimeout>;

/** The state a layer above keeps for one connection: it receives the connection's frames and is disposed with it. */
interface ConnectionHandler {
  frame(data: unknown): void;
  dispose(): void;
}

/** What a connection tells the transport; nothing is told once it is disposed. */
interface ConnectionEvents {
  open(): void;
  /** The socket closed by itself: the server or the network ended it, or the handshake failed. */
  close(): void;
  /** No frame arrived within the keep-alive timeout after a ping. */
  keepAliveTimeout(): void;
}

/**
 * One connection attempt and everything tied to it: the token request, the socket, the timers
 * (keep-alive, age and stability, and those of the chat session on it) and the state the chat
 * session keeps for it. It is disposed as a whole: afterwards no timer fires, no socket event is
 * passed on and no awaited token is used, so nothing late from an abandoned socket reaches the next one.
 */
class Connection {
  readonly #events: ConnectionEvents;
  readonly #keepAliveTimeoutMs: number;
  readonly #timers = new Set<Timer>();
  readonly #intervals = new Set<ReturnType<typeof setInterval>>();
  #socket: WebSocketLike | undefined;
  #handler: ConnectionHandler | undefined;
  #pongDeadline: Timer | undefined;
  #opened = false;
  #disposed = false;

  public constructor(keepAliveTimeoutMs: number, events: ConnectionEvents) {
    this.#keepAliveTimeoutMs = keepAliveTimeoutMs;
    this.#events = events;
  }

  /** The socket has opened (and the connection is not disposed). */
  public get opened(): boolean {
    return this.#opened;
  }

  /** Frames can be sent now. */
  public get writable(): boolean {
    return this.#opened && this.#socket?.readyState === OPEN;
  }

  /** Settles as `value` does, unless the connection is disposed first: then never, so what awaited it is dropped. */
  public guard<T>(value: T | PromiseLike<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      Promise.resolve(value).then(
        (result) => {
          if (!this.#disposed) resolve(result);
        },
        (error: unknown) => {
          if (!this.#disposed) reject(error);
        },
      );
    });
  }

  /** Takes the socket created for this connection and listens to it. */
  public attach(socket: WebSocketLike): void {
    this.#socket = socket;
    socket.onopen = this.#whileLive(() => {
      this.#opened = true;
      this.#events.open();
    });
    socket.onmessage = this.#whileLive((event: { data: unknown }) => this.#onFrame(event.data));
    socket.onclose = this.#whileLive(() => this.#events.close());
    socket.onerror = () => undefined;
  }

  /** Gives the connection the state a layer above keeps for it: it gets the frames from now on and is disposed with the connection. */
  public adopt(handler: ConnectionHandler): void {
    this.#handler = handler;
  }

  public send(data: string): void {
    this.#socket?.send(data);
  }

  /** Sends a keep-alive ping; a ping sent while one is unanswered does not move the deadline. */
  public ping(): void {
    this.send('{"action":"ping"}');
    this.#pongDeadline ??= this.after(this.#keepAliveTimeoutMs, () => this.#events.keepAliveTimeout());
  }

  /** A timer that lives as long as the connection: it is cleared when the connection is disposed, and never set after. */
  public after(ms: number, run: () => void): Timer | undefined {
    if (this.#disposed) return undefined;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      run();
    }, ms);
    this.#timers.add(timer);
    return timer;
  }

  /** An interval that lives as long as the connection. */
  public every(ms: number, run: () => void): void {
    if (this.#disposed) return;
    this.#intervals.add(setInterval(run, ms));
  }

  public cancel(timer: Timer | undefined): void {
    if (timer === undefined) return;
    clearTimeout(timer);
    this.#timers.delete(timer);
  }

  /**
   * Ends the connection and everything tied to it. With `close`, the socket is closed without
   * waiting for its close handshake (a dead TCP connection may never finish it).
   */
  public dispose(close?: { code: number; reason: string }): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#opened = false;
    for (const timer of this.#timers) clearTimeout(timer);
    for (const interval of this.#intervals) clearInterval(interval);
    this.#timers.clear();
    this.#intervals.clear();
    this.#pongDeadline = undefined;
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket) {
      socket.onopen = null;
      socket.onmessage = null;
      socket.onclose = null;
      if (close) Connection.#close(socket, close.code, close.reason);
    }
    this.#handler?.dispose();
    this.#handler = undefined;
  }

  static #close(socket: WebSocketLike, code: number, reason: string): void {
    try {
      socket.close(code, reason);
    } catch {
      // Closing a socket that is still connecting or already closed may throw; it is abandoned either way.
    }
  }

  /** Runs `run` only while the connection lives: a socket event already on its way when it was disposed is dropped. */
  #whileLive<A extends unknown[]>(run: (...args: A) => void): (...args: A) => void {
    return (...args) => {
      if (!this.#disposed) run(...args);
    };
  }

  #onFrame(data: unknown): void {
    this.cancel(this.#pongDeadline);
    this.#pongDeadline = undefined;
    this.#handler?.frame(data);
  }
}

export type { ConnectionEvents, ConnectionHandler };
export { Connection };
