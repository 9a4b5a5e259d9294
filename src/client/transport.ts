import { fullJitterDelay } from './backoff.ts';
import { Connection, type ConnectionHandler } from './connection.ts';
import type { ReconnectReason, StatusChange } from './events.ts';
import type { ResolvedOptions, TokenReason } from './options.ts';
import { isExpired } from './token.ts';

/** The state the layer above keeps for one open connection. */
interface SessionHandler extends ConnectionHandler {
  /** The connection was announced open (status `open`): start sending. */
  start(): void;
  /** Time for a keep-alive ping. */
  keepAlive(): void;
}

/** What the transport needs from the layer above it (the chat session). */
interface TransportClient {
  /** A socket opened: the state kept for it, created before status `open` is announced. `reconnected` is false on the first connection after `connect()`. */
  connected(connection: Connection, reconnected: boolean): SessionHandler;
  /** The transport stopped (status `closed`): what waits for a connection gives up. */
  stopped(change: StatusChange): void;
}

type TransportOptions = Pick<ResolvedOptions, 'url' | 'token' | 'reconnect' | 'maxHandshakeFailures' | 'keepAlive' | 'maxConnectionAgeMs' | 'WebSocket' | 'random'>;

/**
 * The reconnecting transport: it owns the WebSocket. It asks the token provider before every
 * (re)connect, reconnects with backoff after a drop, keeps the connection alive and replaces it
 * before API Gateway's maximum connection age. Each attempt is one `Connection`, disposed as a whole
 * when it ends; the chat session above only sees connections open and go.
 */
class ReconnectingTransport {
  readonly #options: TransportOptions;
  readonly #client: TransportClient;
  readonly #onStatus: (change: StatusChange) => void;
  #status: StatusChange = { status: 'closed', reason: 'not-started' };
  #connection: Connection | undefined;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #attempt = 0;
  #handshakeFailures = 0;
  /** Connections opened since connect(). */
  #opens = 0;
  #tokenReason: TokenReason = 'connect';
  #dropReason: ReconnectReason = 'dropped';

  public constructor(options: TransportOptions, client: TransportClient, onStatus: (change: StatusChange) => void) {
    this.#options = options;
    this.#client = client;
    this.#onStatus = onStatus;
  }

  public get status(): StatusChange {
    return { ...this.#status };
  }

  public connect(): void {
    if (this.#status.status !== 'closed') return;
    this.#attempt = 0;
    this.#handshakeFailures = 0;
    this.#opens = 0;
    this.#tokenReason = 'connect';
    this.#setStatus({ status: 'connecting' });
    void this.#open();
  }

  public close(): void {
    if (this.#status.status === 'closed') return;
    this.#stop({ status: 'closed', reason: 'client-closed', detail: 'Closed by the application' });
  }

  /** The server refused the token mid-connection (FORBIDDEN; it closes the connection next): the reconnect asks for a fresh token. */
  public tokenRefused(): void {
    this.#tokenReason = 'expired';
    this.#dropReason = 'forbidden';
  }

  async #open(): Promise<void> {
    const connection = new Connection(this.#options.keepAlive.timeoutMs, {
      open: () => this.#onOpen(connection),
      close: () => this.#onClose(connection),
      keepAliveTimeout: () => this.#reconnectNow('keep-alive-timeout', 4000, 'Keep-alive timeout'),
    });
    this.#connection = connection;
    let token: string | null | undefined;
    try {
      token = await connection.guard(this.#options.token({ reason: this.#tokenReason, attempt: this.#attempt }));
      if (typeof token === 'string' && isExpired(token, Date.now())) {
        // Never connect with a token the server will refuse: ask once more, then give up.
        token = await connection.guard(this.#options.token({ reason: 'expired', attempt: this.#attempt }));
        if (typeof token === 'string' && isExpired(token, Date.now())) {
          this.#stop({ status: 'closed', reason: 'token-expired', detail: 'The token provider keeps returning an expired token' });
          return;
        }
      }
    } catch {
      this.#handshakeFailed('token-error');
      return;
    }
    if (typeof token !== 'string' || token.length === 0) {
      this.#stop({ status: 'closed', reason: 'no-token', detail: 'The token provider returned no token' });
      return;
    }
    const url = new URL(this.#options.url);
    url.searchParams.set('token', token);
    try {
      connection.attach(new this.#options.WebSocket(url.toString()));
    } catch {
      this.#handshakeFailed('refused');
    }
  }

  #onOpen(connection: Connection): void {
    const { reconnect, keepAlive, maxConnectionAgeMs } = this.#options;
    this.#opens += 1;
    this.#handshakeFailures = 0;
    this.#tokenReason = 'reconnect';
    this.#dropReason = 'dropped';
    const session = this.#client.connected(connection, this.#opens > 1);
    connection.adopt(session);
    connection.after(reconnect.stableAfterMs, () => {
      this.#attempt = 0;
    });
    connection.every(keepAlive.intervalMs, () => session.keepAlive());
    connection.after(maxConnectionAgeMs, () => this.#reconnectNow('planned', 1000, 'Planned reconnect before the 2-hour limit'));
    this.#setStatus({ status: 'open' });
    session.start();
  }

  #onClose(connection: Connection): void {
    const opened = connection.opened;
    this.#dispose();
    if (opened) this.#scheduleReconnect(this.#dropReason);
    else this.#handshakeFailed('refused');
  }

  /** The socket never opened (or no token could be had): ask for a new token next time, and stop if it keeps failing. */
  #handshakeFailed(reason: ReconnectReason): void {
    this.#dispose();
    this.#handshakeFailures += 1;
    this.#tokenReason = 'refused';
    if (this.#handshakeFailures >= this.#options.maxHandshakeFailures) {
      this.#stop({
        status: 'closed',
        reason: 'refused',
        detail: `${this.#handshakeFailures} connection attempts in a row failed before opening: the token may be refused (401), the origin not allowed (403), the user over its connection limit (429), or the server unreachable`,
      });
      return;
    }
    this.#scheduleReconnect(reason);
  }

  #scheduleReconnect(reason: ReconnectReason, immediately = false): void {
    const { reconnect, random } = this.#options;
    if (this.#attempt >= reconnect.maxAttempts) {
      this.#stop({ status: 'closed', reason: 'gave-up', detail: `Gave up after ${this.#attempt} reconnect attempts` });
      return;
    }
    const retryInMs = immediately ? 0 : fullJitterDelay(this.#attempt, reconnect, random);
    this.#attempt += 1;
    this.#setStatus({ status: 'reconnecting', reason, attempt: this.#attempt, retryInMs });
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      void this.#open();
    }, retryInMs);
  }

  /** Abandons the current socket without waiting for its close handshake, and connects again. */
  #reconnectNow(reason: ReconnectReason, code: number, closeReason: string): void {
    this.#dispose({ code, reason: closeReason });
    this.#scheduleReconnect(reason, reason === 'planned');
  }

  #stop(change: StatusChange): void {
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    this.#dispose({ code: 1000, reason: 'Client closed' });
    this.#client.stopped(change);
    this.#setStatus(change);
  }

  /** Ends the current connection and everything tied to it; what waited on it is retried on the next one. */
  #dispose(close?: { code: number; reason: string }): void {
    const connection = this.#connection;
    this.#connection = undefined;
    connection?.dispose(close);
  }

  #setStatus(change: StatusChange): void {
    this.#status = change;
    this.#onStatus({ ...change });
  }
}

export type { SessionHandler, TransportClient, TransportOptions };
export { ReconnectingTransport };
