import { fullJitterDelay } from './backoff.ts';
import { TypedEmitter } from './emitter.ts';
import { ConnectionClosedError, HistoryFailedError, SendFailedError } from './errors.ts';
import type { ChatClientEvents, PendingMessage, ReconnectReason, StatusChange } from './events.ts';
import { MessageLedger } from './message-ledger.ts';
import { minMessageIdAt } from '../protocol/message-id-time.ts';
import { resumePoint } from './message-ids.ts';
import { type ChatClientOptions, type ResolvedOptions, type TokenReason, type WebSocketLike, resolveOptions } from './options.ts';
import { Outbox, type OutgoingMessage } from './outbox.ts';
import {
  type ChatMessage,
  type HistoryPage,
  type PongData,
  type ServerError,
  assertClientMessageId,
  assertMessageText,
  assertSessionId,
  errorOf,
  parseIncoming,
} from './protocol.ts';
import { RatePacer } from './rate-pacer.ts';
import { ReplyStreams } from './reply-streams.ts';
import { ReplyTurn } from './reply-turn.ts';
import { isExpired } from './token.ts';

type ControlFrame = { kind: 'ping' } | { kind: 'history'; sessionId: string };

/** A page, `undefined` when the connection dropped first, or the error when the client gave up on it. */
type HistoryAnswer = HistoryPage | undefined | HistoryFailedError;

interface HistoryWaiter {
  after: string | undefined;
  /** The page size asked for; halved after MESSAGE_TOO_LARGE. */
  limit: number;
  /** Requests for this page that got no answer in time or an error frame. */
  failures: number;
  /** Sent, and not answered yet. */
  inFlight: boolean;
  resolve(answer: HistoryAnswer): void;
  /** While in flight the answer's timeout; after a failure the backoff before the next request. */
  timer?: ReturnType<typeof setTimeout>;
}

interface Deferred {
  resolve(): void;
  reject(error: Error): void;
}

const OPEN = 1;
/** How long to wait before resending after INTERNAL_ERROR: a fault on the server is rarely gone at once. */
const SERVER_ERROR_PAUSE_MS = 1000;
/** Sessions the client follows because it sent to them resume from this long before they were first used. */
const SEND_TRACKING_LOOKBACK_MS = 10 * 60 * 1000;

const randomId = (): string => {
  const bytes = new Uint8Array(10);
  globalThis.crypto.getRandomValues(bytes);
  return `${Date.now().toString(36)}-${[...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('')}`;
};

/**
 * A chat connection that survives drops: it reconnects with backoff and a fresh token, keeps the
 * connection alive, resends what the server has not acknowledged, and after every reconnect fetches
 * what it missed, so each message reaches the application once, in order.
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
  readonly #options: ResolvedOptions;
  readonly #outbox: Outbox;
  readonly #ledger = new MessageLedger();
  readonly #pacer: RatePacer;
  readonly #turn: ReplyTurn;
  readonly #streams = new ReplyStreams();
  /** Sessions resumed after every reconnect. */
  readonly #sessions = new Set<string>();
  /** Where a session followed only because it was sent to starts its resume. */
  readonly #resumeFloor = new Map<string, string>();
  readonly #resumes = new Map<string, Promise<boolean>>();
  readonly #caughtUp = new Map<string, Deferred[]>();
  readonly #historyWaiters = new Map<string, HistoryWaiter>();
  /** Sessions whose reply may have gone to a connection that no longer exists: history is fetched again later. */
  readonly #replyChecks = new Map<string, { count: number; timer?: ReturnType<typeof setTimeout> }>();
  #pongWaiters: Array<{ resolve(pong: PongData): void; reject(error: Error): void }> = [];
  #control: ControlFrame[] = [];

  #status: StatusChange = { status: 'closed', reason: 'not-started' };
  #socket: WebSocketLike | undefined;
  #opened = false;
  /** Bumped whenever a socket is abandoned: callbacks of an older generation are ignored. */
  #generation = 0;
  #attempt = 0;
  #handshakeFailures = 0;
  #tokenReason: TokenReason = 'connect';
  #dropReason: ReconnectReason = 'dropped';
  #connectionId: string | undefined;
  /** Connections opened since connect(): resumes after the first one may follow up on replies. */
  #opens = 0;

  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #pumpTimer: ReturnType<typeof setTimeout> | undefined;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #pongTimer: ReturnType<typeof setTimeout> | undefined;
  #stableTimer: ReturnType<typeof setTimeout> | undefined;
  #ageTimer: ReturnType<typeof setTimeout> | undefined;
  #ackTimer: ReturnType<typeof setTimeout> | undefined;

  public constructor(options: ChatClientOptions) {
    super();
    this.#options = resolveOptions(options);
    this.#outbox = new Outbox(this.#options.outboxCapacity);
    this.#pacer = new RatePacer(this.#options.rateLimit, Date.now());
    this.#turn = new ReplyTurn(this.#options.replyTimeoutMs, () => this.#pump());
  }

  /** The current status and why. */
  public get status(): StatusChange {
    return { ...this.#status };
  }

  /** The server's id of the current connection, once a `pong` has told it (see `ping`). */
  public get connectionId(): string | undefined {
    return this.#connectionId;
  }

  /** Chat messages sent but not yet acknowledged by the server, oldest first. */
  public get pending(): Array<{ clientMessageId: string; sessionId: string; message: string }> {
    return this.#outbox
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
    if (this.#status.status !== 'closed') return;
    this.#attempt = 0;
    this.#handshakeFailures = 0;
    this.#opens = 0;
    this.#tokenReason = 'connect';
    this.#setStatus({ status: 'connecting' });
    void this.#open();
  }

  /**
   * Closes the connection and stops reconnecting (status `closed`, reason `client-closed`). Queued
   * messages stay queued for a later `connect()`.
   * @example client.close();
   */
  public close(): void {
    if (this.#status.status === 'closed') return;
    this.#stop({ status: 'closed', reason: 'client-closed', detail: 'Closed by the application' });
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
    assertSessionId(sessionId);
    assertMessageText(message);
    const clientMessageId = options.clientMessageId ?? randomId();
    assertClientMessageId(clientMessageId);
    let resolve!: (stored: ChatMessage) => void;
    let reject!: (error: Error) => void;
    const acknowledged = new Promise<ChatMessage>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // The caller may never await it; a rejection must not become an unhandled one.
    acknowledged.catch(() => undefined);
    this.#outbox.add({ clientMessageId, sessionId, message, inFlight: false, failures: 0, resolve, reject });
    if (!this.#sessions.has(sessionId)) {
      this.#sessions.add(sessionId);
      if (this.#ledger.lastSeen(sessionId) === undefined) {
        this.#resumeFloor.set(sessionId, minMessageIdAt(Date.now() - SEND_TRACKING_LOOKBACK_MS));
      }
    }
    this.#pump();
    return { clientMessageId, sessionId, message, acknowledged };
  }

  /**
   * Follows a session: loads its history (delivered as `message` events, oldest first) and resumes
   * it after every reconnect. Resolves once the session is caught up.
   * @example
   * client.on('message', render);
   * await client.openSession('support-42');
   */
  public openSession(sessionId: string): Promise<void> {
    assertSessionId(sessionId);
    this.#sessions.add(sessionId);
    this.#resumeFloor.delete(sessionId);
    const caughtUp = new Promise<void>((resolve, reject) => {
      const waiters = this.#caughtUp.get(sessionId) ?? [];
      waiters.push({ resolve, reject });
      this.#caughtUp.set(sessionId, waiters);
    });
    if (this.#opened && !this.#resumes.has(sessionId)) void this.#resume(sessionId);
    return caughtUp;
  }

  /** Stops resuming a session after reconnects; an `openSession` of it still waiting rejects. */
  public closeSession(sessionId: string): void {
    this.#sessions.delete(sessionId);
    this.#resumeFloor.delete(sessionId);
    this.#cancelReplyCheck(sessionId);
    const closed = new ConnectionClosedError(`Session ${sessionId} was closed before it caught up`);
    for (const waiter of this.#caughtUp.get(sessionId) ?? []) waiter.reject(closed);
    this.#caughtUp.delete(sessionId);
  }

  /**
   * Sends a `ping` now; resolves with the `pong` (which carries the connection's id).
   * @example const { connectionId } = await client.ping();
   */
  public ping(): Promise<PongData> {
    if (!this.#opened) return Promise.reject(new ConnectionClosedError('Not connected'));
    return new Promise<PongData>((resolve, reject) => {
      this.#pongWaiters.push({ resolve, reject });
      this.#enqueue({ kind: 'ping' });
    });
  }

  async #open(): Promise<void> {
    const generation = ++this.#generation;
    let token: string | null | undefined;
    try {
      token = await this.#options.token({ reason: this.#tokenReason, attempt: this.#attempt });
      if (generation !== this.#generation) return;
      if (typeof token === 'string' && isExpired(token, Date.now())) {
        // Never connect with a token the server will refuse: ask once more, then give up.
        token = await this.#options.token({ reason: 'expired', attempt: this.#attempt });
        if (generation !== this.#generation) return;
        if (typeof token === 'string' && isExpired(token, Date.now())) {
          this.#stop({ status: 'closed', reason: 'token-expired', detail: 'The token provider keeps returning an expired token' });
          return;
        }
      }
    } catch {
      if (generation !== this.#generation) return;
      this.#handshakeFailed('token-error');
      return;
    }
    if (typeof token !== 'string' || token.length === 0) {
      this.#stop({ status: 'closed', reason: 'no-token', detail: 'The token provider returned no token' });
      return;
    }
    const url = new URL(this.#options.url);
    url.searchParams.set('token', token);
    let socket: WebSocketLike;
    try {
      socket = new this.#options.WebSocket(url.toString());
    } catch {
      this.#handshakeFailed('refused');
      return;
    }
    this.#socket = socket;
    this.#opened = false;
    socket.onopen = () => {
      if (generation === this.#generation) this.#onOpen();
    };
    socket.onmessage = (event) => {
      if (generation === this.#generation) this.#onFrame(event.data);
    };
    socket.onclose = () => {
      if (generation === this.#generation) this.#onClose();
    };
    socket.onerror = () => undefined;
  }

  #onOpen(): void {
    const { reconnect, keepAlive, maxConnectionAgeMs } = this.#options;
    this.#opened = true;
    this.#opens += 1;
    this.#handshakeFailures = 0;
    this.#tokenReason = 'reconnect';
    this.#dropReason = 'dropped';
    this.#pacer.reset(Date.now());
    this.#outbox.resetInFlight();
    this.#stableTimer = setTimeout(() => {
      this.#attempt = 0;
    }, reconnect.stableAfterMs);
    this.#pingTimer = setInterval(() => this.#enqueue({ kind: 'ping' }), keepAlive.intervalMs);
    this.#ageTimer = setTimeout(() => this.#reconnectNow('planned', 1000, 'Planned reconnect before the 2-hour limit'), maxConnectionAgeMs);
    this.#setStatus({ status: 'open' });
    for (const sessionId of this.#sessions) void this.#resume(sessionId);
    this.#pump();
  }

  #onClose(): void {
    const opened = this.#opened;
    this.#releaseSocket();
    if (opened) this.#scheduleReconnect(this.#dropReason);
    else this.#handshakeFailed('refused');
  }

  /** The socket never opened (or no token could be had): ask for a new token next time, and stop if it keeps failing. */
  #handshakeFailed(reason: ReconnectReason): void {
    this.#releaseSocket();
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
    const generation = this.#generation;
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (generation === this.#generation) void this.#open();
    }, retryInMs);
  }

  /** Abandons the current socket without waiting for its close handshake (a dead TCP connection may never finish it). */
  #reconnectNow(reason: ReconnectReason, code: number, closeReason: string): void {
    this.#abandonSocket(code, closeReason);
    this.#scheduleReconnect(reason, reason === 'planned');
  }

  #stop(change: StatusChange): void {
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    // A resume cut short keeps holding its live messages: the next connect() merges them in order.
    this.#abandonSocket(1000, 'Client closed');
    this.#turn.abandon();
    const closed = new ConnectionClosedError(change.detail);
    for (const waiters of this.#caughtUp.values()) for (const waiter of waiters) waiter.reject(closed);
    this.#caughtUp.clear();
    this.#setStatus(change);
  }

  #abandonSocket(code: number, reason: string): void {
    const socket = this.#socket;
    this.#releaseSocket();
    if (!socket) return;
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    try {
      socket.close(code, reason);
    } catch {
      // Closing a socket that is still connecting or already closed may throw; it is abandoned either way.
    }
  }

  /** Forgets everything tied to the current connection; what waited on it is retried on the next one. */
  #releaseSocket(): void {
    this.#generation += 1;
    this.#socket = undefined;
    this.#opened = false;
    this.#connectionId = undefined;
    for (const timer of [this.#pumpTimer, this.#pongTimer, this.#stableTimer, this.#ageTimer, this.#ackTimer]) clearTimeout(timer);
    clearInterval(this.#pingTimer);
    this.#pumpTimer = this.#pongTimer = this.#stableTimer = this.#ageTimer = this.#ackTimer = this.#pingTimer = undefined;
    this.#control = [];
    for (const check of this.#replyChecks.values()) clearTimeout(check.timer);
    this.#replyChecks.clear();
    for (const waiter of this.#historyWaiters.values()) {
      clearTimeout(waiter.timer);
      waiter.resolve(undefined);
    }
    this.#historyWaiters.clear();
    const closed = new ConnectionClosedError('The connection closed before the pong');
    for (const waiter of this.#pongWaiters) waiter.reject(closed);
    this.#pongWaiters = [];
  }

  #onFrame(data: unknown): void {
    clearTimeout(this.#pongTimer);
    this.#pongTimer = undefined;
    const frame = parseIncoming(data);
    if (!frame) return;
    switch (frame.type) {
      case 'chat_message':
        this.#onChatMessage(frame.data);
        break;
      case 'chat_message_chunk': {
        this.#turn.progressed(frame.data.sessionId);
        const chunk = this.#streams.accept(frame.data);
        if (chunk) this.emit('chunk', chunk);
        break;
      }
      case 'pong':
        this.#connectionId = frame.data.connectionId;
        for (const waiter of this.#pongWaiters.splice(0)) waiter.resolve(frame.data);
        break;
      case 'history': {
        const waiter = this.#historyWaiters.get(frame.data.sessionId);
        if (!waiter) break;
        this.#historyWaiters.delete(frame.data.sessionId);
        clearTimeout(waiter.timer);
        waiter.resolve(frame.data);
        break;
      }
      case 'error':
        this.#onServerError(errorOf(frame));
        break;
      case 'gateway_error':
        this.emit('error', frame.error);
        break;
    }
  }

  #onChatMessage(message: ChatMessage): void {
    const head = this.#outbox.head();
    const entry = message.role === 'user' && message.clientMessageId !== undefined ? this.#outbox.acknowledge(message.clientMessageId) : undefined;
    if (message.role === 'assistant') {
      this.#cancelReplyCheck(message.sessionId);
      this.#streams.finished(message.messageId);
    }
    if (!entry) {
      this.#deliver(this.#ledger.live(message));
      return;
    }
    if (entry === head) {
      clearTimeout(this.#ackTimer);
      this.#ackTimer = undefined;
    }
    entry.resolve(message);
    this.#deliver(this.#ledger.acknowledged(message.sessionId, message));
    if (this.#options.awaitReplies && !this.#ledger.repliedAfter(message.sessionId, message.messageId)) {
      this.#turn.begin(entry, message.messageId);
    }
    this.#pump();
  }

  /** Hands messages to the application, in the order given. */
  #deliver(messages: ChatMessage[]): void {
    for (const message of messages) {
      this.#turn.delivered(message);
      this.emit('message', message);
    }
  }

  #onServerError(error: ServerError): void {
    if (error.code === 'RATE_LIMITED') {
      // The frame refused is not named: pause, then resend whatever is still unanswered (all idempotent).
      this.#pacer.block(Date.now(), error.retryAfterMs ?? 1000);
      this.#requeueUnanswered();
      this.emit('error', error);
      return;
    }
    if (error.code === 'INTERNAL_ERROR') {
      this.#retryAfterServerError();
      this.emit('error', error);
      return;
    }
    if (error.code === 'MESSAGE_TOO_LARGE') {
      // Only a history page can outgrow API Gateway's message limit: ask for fewer messages.
      for (const [sessionId, waiter] of this.#historyWaiters) {
        if (!waiter.inFlight) continue;
        waiter.limit = Math.max(1, Math.floor(waiter.limit / 2));
        this.#historyAttemptFailed(sessionId, waiter, error.code);
      }
      this.emit('error', error);
      return;
    }
    // Any other error may concern the awaited reply: stop waiting for it.
    this.#turn.end();
    if (error.code === 'FORBIDDEN') {
      // The server closes the connection next; the next token must be a fresh one.
      this.#tokenReason = 'expired';
      this.#dropReason = 'forbidden';
    }
    this.emit('error', error);
  }

  /**
   * INTERNAL_ERROR asks the client to retry; the frame that failed is not named. After a pause,
   * everything unanswered is resent (all idempotent): the message in flight, pending history
   * requests, and an acknowledged question still waiting for its reply (the server stores it once
   * and, when its reply failed, answers the resend).
   */
  #retryAfterServerError(): void {
    const head = this.#outbox.head();
    const question = this.#turn.abandon();
    for (const [sessionId, waiter] of this.#historyWaiters) if (waiter.inFlight) this.#historyAttemptFailed(sessionId, waiter, 'INTERNAL_ERROR');
    if (head?.inFlight) this.#attemptFailed(head);
    else if (question && question.failures + 1 < this.#options.maxSendAttempts) {
      question.failures += 1;
      this.#outbox.retryFirst(question);
    }
    this.#pacer.block(Date.now(), SERVER_ERROR_PAUSE_MS);
    this.#requeueUnanswered();
  }

  #requeueUnanswered(): void {
    const head = this.#outbox.head();
    if (head?.inFlight) {
      head.inFlight = false;
      clearTimeout(this.#ackTimer);
      this.#ackTimer = undefined;
    }
    for (const [sessionId, waiter] of this.#historyWaiters) {
      // A page waiting out its backoff goes again when that ends.
      if (!waiter.inFlight) continue;
      clearTimeout(waiter.timer);
      waiter.timer = undefined;
      waiter.inFlight = false;
      if (!this.#control.some((frame) => frame.kind === 'history' && frame.sessionId === sessionId)) {
        this.#control.push({ kind: 'history', sessionId });
      }
    }
    if (this.#pongWaiters.length > 0) this.#enqueue({ kind: 'ping' });
    this.#pump();
  }

  #enqueue(frame: ControlFrame): void {
    if (frame.kind === 'ping' && this.#control.some((queued) => queued.kind === 'ping')) return;
    this.#control.push(frame);
    this.#pump();
  }

  /** Sends what is queued, control frames first, then the oldest unacknowledged chat message, at the server's pace. */
  #pump(): void {
    clearTimeout(this.#pumpTimer);
    this.#pumpTimer = undefined;
    const socket = this.#socket;
    if (!socket || !this.#opened || socket.readyState !== OPEN) return;
    for (;;) {
      const control = this.#control[0];
      const head = this.#outbox.head();
      const chat = !control && head && !head.inFlight && !this.#turn.waiting ? head : undefined;
      if (!control && !chat) return;
      const waitMs = this.#pacer.take(Date.now());
      if (waitMs > 0) {
        this.#pumpTimer = setTimeout(() => this.#pump(), waitMs);
        return;
      }
      if (control) {
        this.#control.shift();
        this.#sendControl(socket, control);
      } else if (chat) {
        this.#sendChat(socket, chat);
      }
    }
  }

  #sendControl(socket: WebSocketLike, frame: ControlFrame): void {
    if (frame.kind === 'ping') {
      socket.send('{"action":"ping"}');
      this.#pongTimer ??= setTimeout(
        () => this.#reconnectNow('keep-alive-timeout', 4000, 'Keep-alive timeout'),
        this.#options.keepAlive.timeoutMs,
      );
      return;
    }
    const waiter = this.#historyWaiters.get(frame.sessionId);
    if (!waiter) return;
    const data = {
      sessionId: frame.sessionId,
      ...(waiter.after === undefined ? {} : { after: waiter.after }),
      limit: waiter.limit,
    };
    socket.send(JSON.stringify({ action: 'history', data }));
    clearTimeout(waiter.timer);
    waiter.inFlight = true;
    waiter.timer = setTimeout(() => this.#historyAttemptFailed(frame.sessionId, waiter, 'no answer'), this.#options.requestTimeoutMs);
  }

  /**
   * A history request got no answer in time or an error frame: ask again after a backoff delay, or
   * give up after `maxHistoryAttempts`, so a page the server cannot send never holds the session forever.
   */
  #historyAttemptFailed(sessionId: string, waiter: HistoryWaiter, problem: string): void {
    if (this.#historyWaiters.get(sessionId) !== waiter) return;
    clearTimeout(waiter.timer);
    waiter.timer = undefined;
    waiter.inFlight = false;
    waiter.failures += 1;
    if (waiter.failures >= this.#options.maxHistoryAttempts) {
      this.#historyWaiters.delete(sessionId);
      waiter.resolve(new HistoryFailedError(sessionId, waiter.failures, problem));
      return;
    }
    waiter.timer = setTimeout(
      () => {
        waiter.timer = undefined;
        this.#enqueue({ kind: 'history', sessionId });
      },
      fullJitterDelay(waiter.failures - 1, this.#options.reconnect, this.#options.random),
    );
  }

  #sendChat(socket: WebSocketLike, entry: OutgoingMessage): void {
    const { clientMessageId, sessionId, message } = entry;
    socket.send(JSON.stringify({ action: 'chat_message', data: { message, sessionId, clientMessageId } }));
    entry.inFlight = true;
    this.#ledger.awaitAcknowledgement(sessionId);
    clearTimeout(this.#ackTimer);
    this.#ackTimer = setTimeout(() => this.#ackTimedOut(entry), this.#options.requestTimeoutMs);
  }

  #ackTimedOut(entry: OutgoingMessage): void {
    this.#ackTimer = undefined;
    if (this.#outbox.head() !== entry || !entry.inFlight) return;
    this.#attemptFailed(entry);
    this.#pump();
  }

  /** A send of `entry` got no acknowledgement (a timeout or a server error): it goes again, unless that was the last attempt. */
  #attemptFailed(entry: OutgoingMessage): void {
    clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    entry.inFlight = false;
    entry.failures += 1;
    if (entry.failures < this.#options.maxSendAttempts) return;
    this.#outbox.acknowledge(entry.clientMessageId);
    this.#deliver(this.#ledger.acknowledged(entry.sessionId));
    // A question stored already (only its reply failed) is not a failed send: it just stops being asked again.
    if (entry.stored) return;
    const error = new SendFailedError(entry.clientMessageId, entry.failures);
    entry.reject(error);
    this.emit('sendFailed', { clientMessageId: entry.clientMessageId, sessionId: entry.sessionId, message: entry.message, error });
  }

  /** Fetches what the session missed (history after the last message seen) and delivers it merged with live messages. */
  #resume(sessionId: string): Promise<boolean> {
    const run = this.#fetchMissed(sessionId).finally(() => {
      if (this.#resumes.get(sessionId) === run) this.#resumes.delete(sessionId);
    });
    this.#resumes.set(sessionId, run);
    return run;
  }

  async #fetchMissed(sessionId: string): Promise<boolean> {
    this.#ledger.beginResume(sessionId);
    const lastSeen = this.#ledger.lastSeen(sessionId);
    let after = lastSeen === undefined ? this.#resumeFloor.get(sessionId) : resumePoint(lastSeen, this.#options.resumeOverlapMs);
    const fetched: ChatMessage[] = [];
    for (;;) {
      const page = await this.#requestHistory(sessionId, after);
      // The connection dropped: keep holding live messages back; the next connection resumes again.
      if (!page) return false;
      if (page instanceof HistoryFailedError) {
        this.#historyGaveUp(sessionId, fetched, page);
        return false;
      }
      fetched.push(...page.messages);
      const newest = page.messages.at(-1)?.messageId;
      if (newest !== undefined && (after === undefined || newest > after)) after = newest;
      if (!page.hasMore || newest === undefined) break;
    }
    this.#deliver(this.#ledger.endResume(sessionId, fetched));
    for (const waiter of this.#caughtUp.get(sessionId)?.splice(0) ?? []) waiter.resolve();
    this.#scheduleReplyCheck(sessionId);
    return true;
  }

  /** Stops holding the session back: what was fetched and what arrived live go out, and the failure is told. */
  #historyGaveUp(sessionId: string, fetched: ChatMessage[], error: HistoryFailedError): void {
    this.#deliver(this.#ledger.endResume(sessionId, fetched));
    for (const waiter of this.#caughtUp.get(sessionId)?.splice(0) ?? []) waiter.reject(error);
    this.emit('historyFailed', { sessionId, error });
  }

  /**
   * The server sends a reply to the connections that were live when the question arrived, so a reply
   * finished after this client reconnected (and after its resume) never reaches it live: look again.
   * Only after a reconnect: on the first connection every reply is addressed to it.
   */
  #scheduleReplyCheck(sessionId: string): void {
    const check = this.#replyChecks.get(sessionId) ?? { count: 0 };
    clearTimeout(check.timer);
    if (this.#opens < 2 || !this.#ledger.awaitsReply(sessionId) || check.count >= this.#options.replyRechecks) {
      this.#replyChecks.delete(sessionId);
      return;
    }
    check.timer = setTimeout(() => {
      check.timer = undefined;
      check.count += 1;
      if (this.#opened && !this.#resumes.has(sessionId)) void this.#resume(sessionId);
    }, this.#options.replyRecheckMs * 2 ** check.count);
    this.#replyChecks.set(sessionId, check);
  }

  #cancelReplyCheck(sessionId: string): void {
    clearTimeout(this.#replyChecks.get(sessionId)?.timer);
    this.#replyChecks.delete(sessionId);
  }

  #requestHistory(sessionId: string, after: string | undefined): Promise<HistoryAnswer> {
    if (!this.#opened) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const previous = this.#historyWaiters.get(sessionId);
      clearTimeout(previous?.timer);
      previous?.resolve(undefined);
      this.#historyWaiters.set(sessionId, { after, limit: this.#options.historyPageSize, failures: 0, inFlight: false, resolve });
      this.#enqueue({ kind: 'history', sessionId });
    });
  }

  #setStatus(change: StatusChange): void {
    this.#status = change;
    this.emit('status', { ...change });
  }
}

export { ChatClient };
