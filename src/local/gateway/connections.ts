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

interface LiveConnection {
  facts: ConnectionFacts;
  authorizer: AuthorizerFacts | undefined;
  state: ConnectionState;
  socket: WebSocket | undefined;
  lastActiveAt: number;
  /** Set when the gateway closes the connection: what `$disconnect` reports. */
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

/** The gateway's table of live connections, with the idle and lifetime timers of each. */
class ConnectionRegistry {
  private readonly connections = new Map<string, LiveConnection>();
  private readonly limits: ConnectionLimits;

  public constructor(limits: ConnectionLimits) {
    this.limits = limits;
  }

  public add(facts: ConnectionFacts, authorizer: AuthorizerFacts | undefined): LiveConnection {
    const connection: LiveConnection = {
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

  public open(connection: LiveConnection, socket: WebSocket): void {
    connection.state = 'open';
    connection.socket = socket;
    connection.lastActiveAt = Date.now();
    connection.lifetimeTimer = setTimeout(() => this.closeByServer(connection, GOING_AWAY), this.limits.maxDurationMs);
    connection.lifetimeTimer.unref();
    this.touch(connection);
  }

  /** A data frame went either way: the idle clock restarts. */
  public touch(connection: LiveConnection): void {
    if (connection.state !== 'open') return;
    if (connection.idleTimer) connection.idleTimer.refresh();
    else {
      connection.idleTimer = setTimeout(() => this.closeByServer(connection, GOING_AWAY), this.limits.idleTimeoutMs);
      connection.idleTimer.unref();
    }
  }

  /** The gateway closes the socket; `$disconnect` will report `close`. */
  public closeByServer(connection: LiveConnection, close: CloseInfo, wireReason = close.reason): void {
    if (connection.state === 'closing') return;
    connection.state = 'closing';
    connection.serverClose = close;
    connection.socket?.close(close.code, wireReason);
  }

  /** The socket is gone: timers stop and the id answers 410 from now on. */
  public remove(connection: LiveConnection): void {
    connection.state = 'closing';
    clearTimeout(connection.idleTimer);
    clearTimeout(connection.lifetimeTimer);
    this.connections.delete(connection.facts.connectionId);
  }

  public all(): LiveConnection[] {
    return [...this.connections.values()];
  }
}

export type { LiveConnection, CloseInfo, ConnectionLimits, ConnectionState };
export { ConnectionRegistry, GOING_AWAY };
