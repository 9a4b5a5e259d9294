import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { evaluateAuthorizerResult } from './authorizer-policy.ts';
import type { ConnectionRegistry, LiveConnection } from './connections.ts';
import {
  type ApiDescription,
  type ConnectionFacts,
  authorizerEvent,
  connectEvent,
  disconnectEvent,
  messageEvent,
  methodArn,
} from './events.ts';
import { resultHeader, upgradeProblem, upgradeRequestFacts } from './handshake-request.ts';
import { awsStyleId } from './ids.ts';
import type { InvokeOutcome } from './lambda-runtime.ts';
import { selectRoute } from './routes.ts';

/** Runs the function behind a route (`authorizer`, `$connect`, a custom route, ...). */
interface Integrations {
  /** Custom route keys plus `$default` when configured. */
  messageRouteKeys: ReadonlySet<string>;
  has(routeKey: string): boolean;
  invoke(routeKey: string, event: unknown): Promise<InvokeOutcome>;
}

interface FrameLimits {
  /** API Gateway: 32 KB a frame. */
  frameLimitBytes: number;
  /** API Gateway: 128 KB a message (all its fragments). */
  messageLimitBytes: number;
}

/** How far one handshake got: what must be undone if it fails. */
interface Handshake {
  /** Registered (state `connecting`) from the authorizer's Allow on. */
  connection: LiveConnection | undefined;
  /** `$connect` succeeded (or there is none): `$disconnect` must run once the connection is gone. */
  connected: boolean;
  /** ws took over the socket: no HTTP answer may be written any more. */
  upgrading: boolean;
}

interface WebSocketFrontDoorOptions {
  api: ApiDescription;
  registry: ConnectionRegistry;
  integrations: Integrations;
  limits: FrameLimits;
  /** `localhost:3001` when the request has no Host header. */
  fallbackDomainName: () => string;
  /** Track background work (frame invocations, `$disconnect`) so stop() can wait for it. */
  track: (work: Promise<unknown>) => void;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  405: 'Method Not Allowed',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

/** API Gateway's own frames, byte for byte in layout. */
const gatewayFrame = (message: string, connectionId: string, requestId: string): string =>
  `{"message": "${message}", "connectionId":"${connectionId}", "requestId":"${requestId}"}`;

const INTERNAL_ERROR_BODY = '{"message": "Internal server error"}';

const refuse = (socket: Duplex, status: number, body: string, errorType?: string, extraHeaders: string[] = []): void => {
  if (socket.destroyed) return;
  const head = [
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    `x-amzn-RequestId: ${awsStyleId()}`,
    ...(errorType ? [`x-amzn-ErrorType: ${errorType}`] : []),
    ...extraHeaders,
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
};

/**
 * ws enforces one limit for a whole message; API Gateway also limits each frame. This wraps the
 * receiver's length check (ws 8 internals, pinned by the tests) to close with 1009 above the frame limit.
 */
const enforceFrameLimit = (socket: WebSocket, frameLimitBytes: number): void => {
  const receiver = (socket as unknown as { _receiver?: Record<string, unknown> })._receiver;
  const original = receiver?.haveLength as ((cb: unknown) => void) | undefined;
  if (!receiver || typeof original !== 'function') throw new Error('ws internals changed: cannot enforce the frame limit');
  receiver.haveLength = function haveLengthWithFrameLimit(this: Record<string, unknown>, cb: (error: Error) => void) {
    if ((this._opcode as number) < 0x08 && (this._payloadLength as number) > frameLimitBytes) {
      const createError = this.createError as (...args: unknown[]) => Error;
      cb(createError.call(this, RangeError, 'Max frame size exceeded', false, 1009, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'));
      return;
    }
    original.call(this, cb);
  };
};

/**
 * The WebSocket side of API Gateway: the handshake (identity source, authorizer, `$connect`,
 * subprotocol), then each text frame routed on `$request.body.action`, AWS's own frames when no route
 * matches or the integration fails, frame limits, and `$disconnect` once the socket is gone.
 */
class WebSocketFrontDoor {
  private readonly options: WebSocketFrontDoorOptions;
  private readonly chosenProtocols = new WeakMap<IncomingMessage, string>();
  private readonly server: WebSocketServer;

  public constructor(options: WebSocketFrontDoorOptions) {
    this.options = options;
    this.server = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: options.limits.messageLimitBytes,
      // API Gateway sends back the protocol $connect echoed, and nothing when it echoed none.
      handleProtocols: (_offered, req) => this.chosenProtocols.get(req) ?? false,
    });
  }

  public handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    this.options.track(this.handshake(req, socket, head));
  }

  public close(): void {
    this.server.close();
  }

  /**
   * Every handshake ends answered and closed, or open; whatever fails on the way, a connection whose
   * `$connect` succeeded always gets its `$disconnect`.
   */
  private async handshake(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const handshake: Handshake = { connection: undefined, connected: false, upgrading: false };
    try {
      await this.admit(req, socket, handshake);
      if (handshake.connection) this.upgrade(req, socket, head, handshake);
    } catch {
      // A bug of the emulator, never the client's doing: answer as API Gateway answers its own failures.
      if (handshake.upgrading) socket.destroy();
      else refuse(socket, 500, INTERNAL_ERROR_BODY);
      // Once open, the socket's close event runs $disconnect.
      const { connection } = handshake;
      if (connection && connection.state === 'connecting') this.abandon(connection, handshake.connected);
    }
  }

  /** Validation, the authorizer and `$connect`: sets `handshake.connection` when the connection may open. */
  private async admit(req: IncomingMessage, socket: Duplex, handshake: Handshake): Promise<void> {
    const { api, registry, integrations } = this.options;
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.replace(/\/$/, '') !== `/${api.stage}`) return refuse(socket, 403, '{"message":"Forbidden"}', 'ForbiddenException');
    const problem = upgradeProblem(req);
    if (problem) {
      return refuse(socket, problem.status, `{"message":"${STATUS_TEXT[problem.status]}"}`, undefined, problem.headers);
    }
    const nowMs = Date.now();
    const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
    const facts: ConnectionFacts = {
      connectionId: awsStyleId(),
      connectedAt: nowMs,
      domainName: req.headers.host ?? this.options.fallbackDomainName(),
      sourceIp,
      ...(req.headers['user-agent'] === undefined ? {} : { userAgent: req.headers['user-agent'] }),
    };
    const request = upgradeRequestFacts(req, sourceIp, nowMs);

    let authorizer: Record<string, string | number | boolean> | undefined;
    if (integrations.has('authorizer')) {
      // Identity source route.request.querystring.token: missing or empty is 401 without invoking the authorizer.
      if (!request.queryStringParameters?.token) return refuse(socket, 401, '{"message":"Unauthorized"}', 'UnauthorizedException');
      const started = Date.now();
      const event = authorizerEvent(api, facts, request, { requestId: awsStyleId(), nowMs });
      const outcome = await integrations.invoke('authorizer', event);
      if (!outcome.ok && outcome.error.errorMessage === 'Unauthorized') {
        return refuse(socket, 401, '{"message":"Unauthorized"}', 'UnauthorizedException');
      }
      const decision = outcome.ok
        ? evaluateAuthorizerResult(outcome.result, methodArn(api, '$connect'), Date.now() - started)
        : ({ outcome: 'invalid', reason: outcome.error.errorMessage } as const);
      if (decision.outcome === 'deny') return refuse(socket, 403, '{"message":"Forbidden"}', 'AccessDeniedException');
      if (decision.outcome === 'invalid') {
        return refuse(socket, 500, INTERNAL_ERROR_BODY, 'AuthorizerConfigurationException');
      }
      authorizer = decision.authorizer;
    }

    const connection = registry.add(facts, authorizer);
    handshake.connection = connection;
    if (integrations.has('$connect')) {
      const event = connectEvent(api, facts, request, authorizer, { requestId: awsStyleId(), nowMs: Date.now() });
      const outcome = await integrations.invoke('$connect', event);
      const status = outcome.ok ? Number((outcome.result as { statusCode?: unknown } | null)?.statusCode ?? 200) : 500;
      if (!outcome.ok || !(status >= 200 && status < 300)) {
        registry.remove(connection);
        handshake.connection = undefined;
        const body = outcome.ok ? (outcome.result as { body?: unknown }).body : undefined;
        return refuse(socket, outcome.ok ? status : 500, typeof body === 'string' ? body : INTERNAL_ERROR_BODY);
      }
      handshake.connected = true;
      const echoed = resultHeader((outcome.result as { headers?: unknown }).headers, 'sec-websocket-protocol');
      if (echoed) this.chosenProtocols.set(req, echoed);
    } else {
      handshake.connected = true;
    }
  }

  /** The 101 answer, by ws. */
  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, handshake: Handshake): void {
    const connection = handshake.connection as LiveConnection;
    if (socket.destroyed) {
      // The client left while $connect ran: the connection existed, so $disconnect runs.
      this.abandon(connection, true);
      return;
    }
    let opened = false;
    handshake.upgrading = true;
    this.server.handleUpgrade(req, socket, head, (websocket) => {
      opened = true;
      this.opened(connection, websocket);
    });
    // ws calls back synchronously or not at all: it answers and closes a request it refuses, and drops
    // a socket the client half-closed meanwhile. Either way the connection is gone.
    if (!opened) this.abandon(connection, true);
  }

  /** A connection that will never open: out of the registry, and `$disconnect` (1006) when `$connect` succeeded. */
  private abandon(connection: LiveConnection, connected: boolean): void {
    this.options.registry.remove(connection);
    if (connected) this.options.track(this.disconnect(connection, { code: 1006, reason: '' }));
  }

  private opened(connection: LiveConnection, websocket: WebSocket): void {
    const { registry, limits } = this.options;
    enforceFrameLimit(websocket, limits.frameLimitBytes);
    registry.open(connection, websocket);
    websocket.on('error', (error: Error & { [key: symbol]: unknown }) => {
      // ws closes with the error's code (1009 for an oversized frame or message) after this event.
      const tooBig = (error as { code?: string }).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
      if (tooBig && connection.state === 'open') {
        connection.state = 'closing';
        connection.serverClose = { code: 1009, reason: 'Message too big' };
      }
    });
    websocket.on('message', (data: Buffer, isBinary: boolean) => {
      if (connection.state !== 'open') return;
      if (isBinary) {
        registry.closeByServer(connection, { code: 1003, reason: 'Unsupported data' }, '');
        return;
      }
      this.options.track(this.route(connection, data.toString('utf8')));
    });
    websocket.on('close', (code: number, reasonBuffer: Buffer) => {
      registry.remove(connection);
      const reason = reasonBuffer.toString('utf8');
      const close = connection.serverClose ?? { code, reason: code === 1005 ? 'Client-side close frame status not set' : reason };
      this.options.track(this.disconnect(connection, close));
    });
  }

  private async route(connection: LiveConnection, body: string): Promise<void> {
    const { api, registry, integrations } = this.options;
    registry.touch(connection);
    connection.lastActiveAt = Date.now();
    const requestId = awsStyleId();
    const routeKey = selectRoute(body, integrations.messageRouteKeys);
    if (!routeKey) {
      this.sendGatewayFrame(connection, gatewayFrame('Forbidden', connection.facts.connectionId, requestId));
      return;
    }
    const event = messageEvent(api, connection.facts, routeKey, body, connection.authorizer, {
      requestId,
      messageId: awsStyleId(),
      nowMs: Date.now(),
    });
    const outcome = await integrations.invoke(routeKey, event);
    if (!outcome.ok) this.sendGatewayFrame(connection, gatewayFrame('Internal server error', connection.facts.connectionId, requestId));
  }

  private sendGatewayFrame(connection: LiveConnection, frame: string): void {
    if (connection.state === 'open') connection.socket?.send(frame);
  }

  private async disconnect(connection: LiveConnection, close: { code: number; reason: string }): Promise<void> {
    const { api, integrations } = this.options;
    if (!integrations.has('$disconnect')) return;
    await integrations.invoke(
      '$disconnect',
      disconnectEvent(api, connection.facts, close, connection.authorizer, { requestId: awsStyleId(), nowMs: Date.now() }),
    );
  }
}

export type { Integrations, FrameLimits };
export { WebSocketFrontDoor, gatewayFrame };
