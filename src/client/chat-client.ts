import { ChatSession } from './chat-session.ts';
import { TypedEmitter } from './emitter.ts';
import type { ChatClientEvents, Emit, PendingMessage, StatusChange } from './events.ts';
import { type ChatClientOptions, resolveOptions } from './options.ts';
import type { CancelResult, PongData } from './protocol.ts';
import { ReconnectingTransport } from './transport.ts';

/**
 * A chat connection that survives drops: it reconnects with backoff and a fresh token, keeps the
 * connection alive, resends what the server has not acknowledged, and after every reconnect fetches
 * what it missed, so each message reaches the application once, in order.
 *
 * Two layers: a reconnecting transport (`transport.ts`: token, backoff, keep-alive, maximum
 * connection age; it owns the WebSocket) and the chat session on top (`chat-session.ts`: outbox,
 * ledger, resume, reply turn). Each connection is one object, disposed as a whole when it ends.
 * @example
 * const client = new ChatClient({
 *   url: 'wss://abc123.execute-api.eu-west-1.amazonaws.com/prod',
 *   token: async () => (await fetch('/api/chat-token')).text(),
 * });
 * client.on('message', (message) => console.log(message.role, message.message));
 * client.on('status', ({ status }) => console.log('connection', status));
 * client.connect();
 * await client.openSession('support-42');
 * client.send('support-42', 'Hello');
 */
class ChatClient extends TypedEmitter<ChatClientEvents> {
  readonly #session: ChatSession;
  readonly #transport: ReconnectingTransport;

  public constructor(options: ChatClientOptions) {
    super();
    const resolved = resolveOptions(options);
    const emit: Emit = (event, payload) => this.emit(event, payload);
    this.#session = new ChatSession(resolved, emit, () => this.#transport.tokenRefused());
    this.#transport = new ReconnectingTransport(resolved, this.#session, (change) => this.emit('status', change));
  }

  /** The current status and why. */
  public get status(): StatusChange {
    return this.#transport.status;
  }

  /** The server's id of the current connection, once a `pong` has told it (see `ping`). */
  public get connectionId(): string | undefined {
    return this.#session.connectionId;
  }

  /** Chat messages sent but not yet acknowledged by the server, oldest first. */
  public get pending(): Array<{ clientMessageId: string; sessionId: string; message: string }> {
    return this.#session.outbox
      .list()
      .filter((entry) => !entry.stored)
      .map(({ clientMessageId, sessionId, message }) => ({ clientMessageId, sessionId, message }));
  }

  /**
   * Starts connecting (status `connecting`); after a `close()` or a give-up, starts again with the
   * attempt counts reset. Messages still queued are sent once the connection opens.
   * @example client.connect();
   */
  public connect(): void {
    this.#transport.connect();
  }

  /**
   * Closes the connection and stops reconnecting (status `closed`, reason `client-closed`). Queued
   * messages stay queued for a later `connect()`.
   * @example client.close();
   */
  public close(): void {
    this.#transport.close();
  }

  /**
   * Sends a chat message; while offline it waits in the bounded queue and goes out after the
   * reconnect. The server stores a message once per `clientMessageId`, so resending is safe.
   * @throws {ClientValidationError} for a blank or too long message or an invalid sessionId
   * @throws {OutboxFullError} when `outboxCapacity` messages are waiting
   * @example
   * const { acknowledged } = client.send('support-42', 'Where is my order?');
   * const stored = await acknowledged; // stored.messageId
   */
  public send(sessionId: string, message: string, options: { clientMessageId?: string } = {}): PendingMessage {
    return this.#session.send(sessionId, message, options);
  }

  /**
   * Follows a session: loads its history (delivered as `message` events, oldest first) and resumes
   * it after every reconnect. Resolves once the session is caught up.
   * @example
   * client.on('message', render);
   * await client.openSession('support-42');
   */
  public openSession(sessionId: string): Promise<void> {
    return this.#session.openSession(sessionId);
  }

  /** Stops resuming a session after reconnects; an `openSession` of it still waiting rejects. */
  public closeSession(sessionId: string): void {
    this.#session.closeSession(sessionId);
  }

  /**
   * Asks the server to stop a streaming reply (`messageId` is the reply's, as its `chunk` events
   * carry it). Resolves with the `cancel_result`: `cancelling` (its final `message`, status
   * `cancelled`, follows on every connection), `finished` (it had ended) or `unknown`. Rejects with
   * ConnectionClosedError when not connected, or when the connection closes before the answer.
   * @throws {ClientValidationError} for an invalid sessionId or messageId
   * @example
   * client.on('chunk', (chunk) => showStop(() => client.cancel(chunk.sessionId, chunk.messageId)));
   */
  public cancel(sessionId: string, messageId: string): Promise<CancelResult> {
    return this.#session.cancel(sessionId, messageId);
  }

  /**
   * Sends a `ping` now; resolves with the `pong` (which carries the connection's id).
   * @example const { connectionId } = await client.ping();
   */
  public ping(): Promise<PongData> {
    return this.#session.ping();
  }
}

export { ChatClient };
