import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { type AdmissionDeps, admit, type Handshake } from './admission.ts';
import type { CloseInfo, LiveConnection } from './connections.ts';
import { disconnectEvent, messageEvent } from './events.ts';
import { enforceFrameLimit } from './frame-limit.ts';
import { awsStyleId } from './ids.ts';
import type { InvokeOutcome } from './lambda-runtime.ts';
import { INTERNAL_ERROR_BODY, refuse } from './refusal.ts';
import { selectRoute } from './routes.ts';

interface FrameLimits {
  /** API Gateway: 32 KB a frame. */
  frameLimitBytes: number;
  /** API Gateway: 128 KB a message (all its fragments). */
  messageLimitBytes: number;
}

interface WebSocketFrontDoorOptions extends AdmissionDeps {
  limits: FrameLimits;
  /** API Gateway's integration timeout for a frame's route (29 s): past it the client gets the timeout frame. */
  integrationTimeoutMs: number;
  /** Track background work (frame invocations, `$disconnect`) so stop() can wait for it. */
  track: (work: Promise<unknown>) => void;
}

/** Resolves with the invocation's outcome, or `timed-out` once `timeoutMs` passed first (the invocation goes on). */
const withinTimeout = async (invocation: Promise<InvokeOutcome>, timeoutMs: number): Promise<InvokeOutcome | 'timed-out'> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timed-out'>((resolve) => {
    timer = setTimeout(() => resolve('timed-out'), timeoutMs);
  });
  try {
    return await Promise.race([invocation, timeout]);
  } finally {
    clearTimeout(timer);
  }
};

/** API Gateway's own frames, byte for byte in layout. */
const gatewayFrame = (message: string, connectionId: string, requestId: string): string =>
  `{"message": "${message}", "connectionId":"${connectionId}", "requestId":"${requestId}"}`;

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
    const handshake: Handshake = { connection: undefined, connected: false, upgrading: false, protocol: undefined };
    try {
      await admit(req, socket, handshake, this.options);
      if (handshake.protocol) this.chosenProtocols.set(req, handshake.protocol);
      if (handshake.connection) this.upgrade(req, socket, head, handshake, handshake.connection);
    } catch {
      // A bug of the emulator, never the client's doing: answer as API Gateway answers its own failures.
      if (handshake.upgrading) socket.destroy();
      else refuse(socket, 500, INTERNAL_ERROR_BODY);
      // Once open, the socket's close event runs $disconnect.
      const { connection } = handshake;
      if (connection && connection.state === 'connecting') this.abandon(connection, handshake.connected);
    }
  }

  /** The 101 answer, by ws. */
  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, handshake: Handshake, connection: LiveConnection): void {
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
    websocket.on('error', (error: Error & { code?: string }) => {
      // ws closes with the error's code (1009 for an oversized frame or message) after this event.
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') registry.closingByProtocol(connection, { code: 1009, reason: 'Message too big' });
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
    registry.receivedFrame(connection);
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
    const invocation = integrations.invoke(routeKey, event);
    const outcome = await withinTimeout(invocation, this.options.integrationTimeoutMs);
    if (outcome === 'timed-out') {
      // API Gateway stops waiting and tells the client; the function runs on to its end (its own
      // timeout applies), and its later result, success or failure, reaches nobody.
      this.sendGatewayFrame(connection, gatewayFrame('Endpoint request timed out', connection.facts.connectionId, requestId));
      await invocation;
      return;
    }
    if (!outcome.ok) this.sendGatewayFrame(connection, gatewayFrame('Internal server error', connection.facts.connectionId, requestId));
  }

  private sendGatewayFrame(connection: LiveConnection, frame: string): void {
    if (connection.state === 'open') connection.socket?.send(frame);
  }

  private async disconnect(connection: LiveConnection, close: CloseInfo): Promise<void> {
    const { api, integrations } = this.options;
    if (!integrations.has('$disconnect')) return;
    await integrations.invoke('$disconnect', disconnectEvent(api, connection.facts, close, connection.authorizer, { requestId: awsStyleId(), nowMs: Date.now() }));
  }
}

export type { FrameLimits };
export { gatewayFrame, WebSocketFrontDoor };
