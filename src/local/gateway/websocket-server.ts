import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { evaluateAuthorizerResult } from './authorizer-policy.ts';
import type { ConnectionRegistry, LiveConnection } from './connections.ts';
import {
  type ApiDescription,
  type ConnectionFacts,
  type UpgradeRequestFacts,
  authorizerEvent,
  connectEvent,
  disconnectEvent,
  messageEvent,
  methodArn,
} from './events.ts';
import { awsStyleId, traceId } from './ids.ts';
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
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

/** API Gateway's own frames, byte for byte in layout. */
const gatewayFrame = (message: string, connectionId: string, requestId: string): string =>
  `{"message": "${message}", "connectionId":"${connectionId}", "requestId":"${requestId}"}`;

const refuse = (socket: Duplex, status: number, body: string, errorType?: string): void => {
  if (socket.destroyed) return;
  const head = [
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    `x-amzn-RequestId: ${awsStyleId()}`,
    ...(errorType ? [`x-amzn-ErrorType: ${errorType}`] : []),
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
};

/** Headers as API Gateway passes them: original casing, last value wins, plus its forwarding headers. */
const upgradeRequestFacts = (req: IncomingMessage, sourceIp: string, nowMs: number): UpgradeRequestFacts => {
  const multiValueHeaders: Record<string, string[]> = {};
  for (let index = 0; index + 1 < req.rawHeaders.length; index += 2) {
    const name = req.rawHeaders[index] as string;
    (multiValueHeaders[name] ??= []).push(req.rawHeaders[index + 1] as string);
  }
  const added = {
    'X-Amzn-Trace-Id': traceId(nowMs),
    'X-Forwarded-For': sourceIp,
    'X-Forwarded-Port': String(req.socket.localPort ?? ''),
    'X-Forwarded-Proto': 'http',
  };
  for (const [name, value] of Object.entries(added)) multiValueHeaders[name] = [value];
  const headers = Object.fromEntries(Object.entries(multiValueHeaders).map(([name, values]) => [name, values.at(-1) as string]));
  const url = new URL(req.url ?? '/', 'http://localhost');
  const multiValueQuery: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) (multiValueQuery[name] ??= []).push(value);
  const hasQuery = Object.keys(multiValueQuery).length > 0;
  return {
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery
      ? Object.fromEntries(Object.entries(multiValueQuery).map(([name, values]) => [name, values.at(-1) as string]))
      : null,
    multiValueQueryStringParameters: hasQuery ? multiValueQuery : null,
  };
};

const headerValue = (headers: unknown, name: string): string | undefined => {
  if (!headers || typeof headers !== 'object') return undefined;
  const entry = Object.entries(headers as Record<string, unknown>).find(([key]) => key.toLowerCase() === name);
  return typeof entry?.[1] === 'string' ? entry[1] : undefined;
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

  private async handshake(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const { api, registry, integrations } = this.options;
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.replace(/\/$/, '') !== `/${api.stage}`) return refuse(socket, 403, '{"message":"Forbidden"}', 'ForbiddenException');
    if (req.headers.upgrade?.toLowerCase() !== 'websocket' || !req.headers['sec-websocket-key']) {
      return refuse(socket, 400, '{"message":"Bad Request"}');
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
        return refuse(socket, 500, '{"message": "Internal server error"}', 'AuthorizerConfigurationException');
      }
      authorizer = decision.authorizer;
    }

    const connection = registry.add(facts, authorizer);
    if (integrations.has('$connect')) {
      const event = connectEvent(api, facts, request, authorizer, { requestId: awsStyleId(), nowMs: Date.now() });
      const outcome = await integrations.invoke('$connect', event);
      const status = outcome.ok ? Number((outcome.result as { statusCode?: unknown } | null)?.statusCode ?? 200) : 500;
      if (!outcome.ok || !(status >= 200 && status < 300)) {
        registry.remove(connection);
        const body = outcome.ok ? (outcome.result as { body?: unknown }).body : undefined;
        return refuse(socket, outcome.ok ? status : 500, typeof body === 'string' ? body : '{"message": "Internal server error"}');
      }
      const echoed = headerValue((outcome.result as { headers?: unknown }).headers, 'sec-websocket-protocol');
      if (echoed) this.chosenProtocols.set(req, echoed);
    }

    if (socket.destroyed) {
      // The client left while $connect ran: the connection existed, so $disconnect runs.
      registry.remove(connection);
      this.options.track(this.disconnect(connection, { code: 1006, reason: '' }));
      return;
    }
    this.server.handleUpgrade(req, socket, head, (websocket) => this.opened(connection, websocket));
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
