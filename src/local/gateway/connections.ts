import type { WebSocket } from 'ws';
import type { AuthorizerFacts, ConnectionFacts } from './events.ts';

/**
 * `connecting`: authorized, `$connect` running (posts answer 410, as on AWS); `open`: the handshake is
 * done; `closing`: the gateway or the client started the close; it is gone for the management API.
 */
type ConnectionState = 'connecting' | 'open' | 'closing';

interface CloseInfo {
  code: number;
  reason: string;
}

/** One connection as the rest of the gateway sees it: read-only, the registry's methods change it. */
interface LiveConnection {
  readonly facts: ConnectionFacts;
  readonly authorizer: AuthorizerFacts | undefined;
  readonly state: ConnectionState;
  readonly socket: WebSocket | undefined;
  /** The last data frame from the client (GetConnection's lastActiveAt). */
  readonly lastActiveAt: number;
  /** Set when the gateway closes the connection: what `$disconnect` reports. */
  readonly serverClose: CloseInfo | undefined;
}

/** The registry's own, writable record of a connection. */
interface ConnectionRecord {
  facts: ConnectionFacts;
  authorizer: AuthorizerFacts | undefined;
  state: ConnectionState;
  socket: WebSocket | undefined;
  lastActiveAt: number;
  serverClose: CloseInfo | undefined;
  idleTimer: NodeJS.Timeout | undefined;
  lifetimeTimer: NodeJS.Timeout | undefined;
}

interface ConnectionLimits {
  /** API Gateway: 10 minutes without a data frame either way. */
  idleTimeoutMs: number;
  /** API Gateway: 2 hours. */
  maxDurationMs: number;
}

/** API Gateway closes idle and over-age connections with 1001 "Going away". */
const GOING_AWAY: CloseInfo = { code: 1001, reason: 'Going away' };

/**
 * The gateway's table of live connections, with the idle and lifetime timers of each. It is the only
 * writer of a connection's state: the others hold the read-only `LiveConnection` and call its methods.
 */
class ConnectionRegistry {
  private readonly connections = new Map<string, ConnectionRecord>();
  /** The writable record behind each view handed out (the same object), found without a cast. */
  private readonly records = new WeakMap<LiveConnection, ConnectionRecord>();
  private readonly limits: ConnectionLimits;

  public constructor(limits: ConnectionLimits) {
    this.limits = limits;
  }

  public add(facts: ConnectionFacts, authorizer: AuthorizerFacts | undefined): LiveConnection {
    const connection: ConnectionRecord = {
      facts,
      authorizer,
      state: 'connecting',
      socket: undefined,
      lastActiveAt: facts.connectedAt,
      serverClose: undefined,
      idleTimer: undefined,
      lifetimeTimer: undefined,
    };
    this.connections.set(facts.connectionId, connection);
    this.records.set(connection, connection);
    return connection;
  }

  public get(connectionId: string): LiveConnection | undefined {
    return this.connections.get(connectionId);
  }

  /** Open connections only: what the management API can reach. */
  public getOpen(connectionId: string): LiveConnection | undefined {
    const connection = this.connections.get(connectionId);
    return connection?.state === 'open' ? connection : undefined;
  }

  public open(view: LiveConnection, socket: WebSocket): void {
    const connection = this.record(view);
    connection.state = 'open';
    connection.socket = socket;
    connection.lastActiveAt = Date.now();
    connection.lifetimeTimer = setTimeout(() => this.closeByServer(connection, GOING_AWAY), this.limits.maxDurationMs);
    connection.lifetimeTimer.unref();
    this.touch(connection);
  }

  /** A data frame went either way: the idle clock restarts. */
  public touch(view: LiveConnection): void {
    const connection = this.record(view);
    if (connection.state !== 'open') return;
    if (connection.idleTimer) connection.idleTimer.refresh();
    else {
      connection.idleTimer = setTimeout(() => this.closeByServer(connection, GOING_AWAY), this.limits.idleTimeoutMs);
      connection.idleTimer.unref();
    }
  }

  /** The gateway closes the socket; `$disconnect` will report `close`. */
  public closeByServer(view: LiveConnection, close: CloseInfo, wireReason = close.reason): void {
    const connection = this.record(view);
    if (connection.state === 'closing') return;
    connection.state = 'closing';
    connection.serverClose = close;
    connection.socket?.close(close.code, wireReason);
  }

  /** A data frame came from the client: the idle clock restarts and `lastActiveAt` moves. */
  public receivedFrame(view: LiveConnection): void {
    this.touch(view);
    this.record(view).lastActiveAt = Date.now();
  }

  /** ws is closing the socket itself (1009 for an oversized frame or message): `$disconnect` will report `close`. */
  public closingByProtocol(view: LiveConnection, close: CloseInfo): void {
    const connection = this.record(view);
    if (connection.state !== 'open') return;
    connection.state = 'closing';
    connection.serverClose = close;
  }

  /** Sends the close frame (`close`) to every open connection, as API Gateway does when it goes away. */
  public closeAllOpen(close: CloseInfo): void {
    for (const connection of this.connections.values()) {
      if (connection.state === 'open') this.closeByServer(connection, close);
    }
  }

  /** The socket is gone: timers stop and the id answers 410 from now on. */
  public remove(view: LiveConnection): void {
    const connection = this.record(view);
    connection.state = 'closing';
    clearTimeout(connection.idleTimer);
    clearTimeout(connection.lifetimeTimer);
    this.connections.delete(connection.facts.connectionId);
  }

  public all(): LiveConnection[] {
    return [...this.connections.values()];
  }

  private record(view: LiveConnection): ConnectionRecord {
    const record = this.records.get(view);
    if (!record) throw new Error(`connection ${view.facts.connectionId} is not from this registry`);
    return record;
  }
}

export type { CloseInfo, ConnectionLimits, ConnectionState, LiveConnection };
export { ConnectionRegistry, GOING_AWAY };
