import { CancelRequests } from './cancel-requests.ts';
import type { Connection } from './connection.ts';
import { ConnectionClosedError } from './errors.ts';
import { GapChecks } from './gap-checks.ts';
import { type HistoryAnswer, HistoryRequests } from './history-requests.ts';
import type { MessageLedger } from './message-ledger.ts';
import type { ResolvedOptions } from './options.ts';
import type { Outbox, OutgoingMessage } from './outbox.ts';
import { type CancelResult, type ChatChunk, type ChatMessage, errorOf, type IntegrationTimeout, type PongData, parseIncoming, type ServerError } from './protocol.ts';
import { RatePacer } from './rate-pacer.ts';
import { ReplyChecks } from './reply-checks.ts';
import type { ReplyTurn } from './reply-turn.ts';
import type { SessionHandler } from './transport.ts';

type ControlFrame = { kind: 'ping' } | { kind: 'history'; sessionId: string } | { kind: 'cancel'; sessionId: string; messageId: string };

/** What the chat session above does with what arrives on the link. */
interface LinkHost {
  readonly outbox: Outbox;
  readonly ledger: MessageLedger;
  readonly turn: ReplyTurn;
  chatMessage(message: ChatMessage): void;
  chunk(chunk: ChatChunk): void;
  serverError(error: ServerError): void;
  /** API Gateway's own error frame. */
  gatewayError(error: ServerError): void;
  /** API Gateway's integration timeout frame (harmless: the function keeps running). */
  integrationTimeout(timeout: IntegrationTimeout): void;
  /** A chat message got no acknowledgement within `requestTimeoutMs`. */
  ackTimedOut(entry: OutgoingMessage): void;
  /** The link is open: resume every session followed. */
  resumeAll(): void;
  /** Looks at a session's history again for a reply that may have gone to an older connection. */
  recheck(sessionId: string): void;
  disposed(link: ChatLink): void;
}

type LinkOptions = Pick<ResolvedOptions, 'rateLimit' | 'requestTimeoutMs' | 'historyPageSize' | 'maxHistoryAttempts' | 'reconnect' | 'random' | 'replyRecheckMs' | 'replyRechecks'>;

/**
 * The chat session on one open connection: what it sends (control frames first, then the oldest
 * unacknowledged chat message, at the server's pace), what it waits for (the acknowledgement, history
 * pages, pongs) and the connection's id. Created when a socket opens and disposed with its
 * connection: what waited on it is answered then, and its timers go with the connection.
 */
class ChatLink implements SessionHandler {
  readonly #connection: Connection;
  readonly #options: LinkOptions;
  readonly #host: LinkHost;
  readonly #pacer: RatePacer;
  readonly #history: HistoryRequests;
  readonly replyChecks: ReplyChecks;
  readonly gapChecks: GapChecks;
  readonly #cancels = new CancelRequests();
  #control: ControlFrame[] = [];
  #pongWaiters: Array<{ resolve(pong: PongData): void; reject(error: Error): void }> = [];
  #ackTimer: ReturnType<typeof setTimeout> | undefined;
  #pumpTimer: ReturnType<typeof setTimeout> | undefined;
  #connectionId: string | undefined;

  public constructor(connection: Connection, options: LinkOptions, host: LinkHost, reconnected: boolean) {
    this.#connection = connection;
    this.#options = options;
    this.#host = host;
    // A full bucket, as the server gives a new connection.
    this.#pacer = new RatePacer(options.rateLimit, Date.now());
    this.#history = new HistoryRequests(connection, options, (sessionId) => this.#enqueue({ kind: 'history', sessionId }));
    this.replyChecks = new ReplyChecks(connection, options, reconnected, (sessionId) => host.recheck(sessionId));
    this.gapChecks = new GapChecks(connection, (sessionId) => host.recheck(sessionId));
  }

  /** The server's id of this connection, once a `pong` has told it. */
  public get connectionId(): string | undefined {
    return this.#connectionId;
  }

  public start(): void {
    this.#host.resumeAll();
    this.pump();
  }

  public keepAlive(): void {
    this.#enqueue({ kind: 'ping' });
  }

  public ping(): Promise<PongData> {
    return new Promise<PongData>((resolve, reject) => {
      this.#pongWaiters.push({ resolve, reject });
      this.#enqueue({ kind: 'ping' });
    });
  }

  /** Asks the server to stop a streaming reply; resolves with its `cancel_result`. */
  public cancel(sessionId: string, messageId: string): Promise<CancelResult> {
    const answer = this.#cancels.request(sessionId, messageId);
    this.#enqueue({ kind: 'cancel', sessionId, messageId });
    return answer;
  }

  public requestHistory(sessionId: string, after: string | undefined): Promise<HistoryAnswer> {
    return this.#history.request(sessionId, after);
  }

  /** See `HistoryRequests.failInFlight`. */
  public historyFailed(problem: 'INTERNAL_ERROR' | 'MESSAGE_TOO_LARGE'): void {
    this.#history.failInFlight(problem);
  }

  /** The server asked for a pause (RATE_LIMITED, or INTERNAL_ERROR's wait): send nothing for `ms`, then resend whatever is unanswered (all idempotent). */
  public pause(ms: number): void {
    this.#pacer.block(Date.now(), ms);
    this.#requeueUnanswered();
  }

  /** The chat message in flight was answered or given up: stop timing it. */
  public clearAckTimer(): void {
    this.#connection.cancel(this.#ackTimer);
    this.#ackTimer = undefined;
  }

  public frame(data: unknown): void {
    const frame = parseIncoming(data);
    if (!frame) return;
    switch (frame.type) {
      case 'chat_message':
        this.#host.chatMessage(frame.data);
        break;
      case 'chat_message_chunk':
        this.#host.chunk(frame.data);
        break;
      case 'pong':
        this.#connectionId = frame.data.connectionId;
        for (const waiter of this.#pongWaiters.splice(0)) waiter.resolve(frame.data);
        break;
      case 'history':
        this.#history.answered(frame.data);
        break;
      case 'cancel_result':
        this.#cancels.answered(frame.data);
        break;
      case 'error':
        this.#host.serverError(errorOf(frame));
        break;
      case 'gateway_error':
        this.#host.gatewayError(frame.error);
        break;
      case 'integration_timeout':
        this.#host.integrationTimeout(frame.timeout);
        break;
    }
  }

  /** Sends what is queued, control frames first, then the oldest unacknowledged chat message, at the server's pace. */
  public pump(): void {
    this.#connection.cancel(this.#pumpTimer);
    this.#pumpTimer = undefined;
    if (!this.#connection.writable) return;
    const { outbox, turn } = this.#host;
    for (;;) {
      const control = this.#control[0];
      const head = outbox.head();
      const chat = !control && head && !head.inFlight && !turn.waiting ? head : undefined;
      if (!control && !chat) return;
      const waitMs = this.#pacer.take(Date.now());
      if (waitMs > 0) {
        this.#pumpTimer = this.#connection.after(waitMs, () => this.pump());
        return;
      }
      if (control) {
        this.#control.shift();
        this.#sendControl(control);
      } else if (chat) {
        this.#sendChat(chat);
      }
    }
  }

  /** The connection went: pings and history pages waited for will not come on it. */
  public dispose(): void {
    this.#control = [];
    this.#history.dispose();
    this.#cancels.dispose();
    const closed = new ConnectionClosedError('The connection closed before the pong');
    for (const waiter of this.#pongWaiters.splice(0)) waiter.reject(closed);
    this.#host.disposed(this);
  }

  #enqueue(frame: ControlFrame): void {
    // A ping or a cancel already queued answers the same waiters.
    if (frame.kind !== 'history' && this.#control.some((queued) => JSON.stringify(queued) === JSON.stringify(frame))) return;
    this.#control.push(frame);
    this.pump();
  }

  #sendControl(frame: ControlFrame): void {
    if (frame.kind === 'ping') {
      this.#connection.ping();
      return;
    }
    if (frame.kind === 'cancel') {
      this.#connection.send(CancelRequests.frame(frame.sessionId, frame.messageId));
      return;
    }
    const request = this.#history.frame(frame.sessionId);
    if (request !== undefined) this.#connection.send(request);
  }

  #sendChat(entry: OutgoingMessage): void {
    const { clientMessageId, sessionId, message } = entry;
    this.#connection.send(JSON.stringify({ action: 'chat_message', data: { message, sessionId, clientMessageId } }));
    entry.inFlight = true;
    this.#host.ledger.awaitAcknowledgement(sessionId);
    this.#connection.cancel(this.#ackTimer);
    this.#ackTimer = this.#connection.after(this.#options.requestTimeoutMs, () => {
      this.#ackTimer = undefined;
      this.#host.ackTimedOut(entry);
    });
  }

  #requeueUnanswered(): void {
    const head = this.#host.outbox.head();
    if (head?.inFlight) {
      head.inFlight = false;
      this.clearAckTimer();
    }
    for (const sessionId of this.#history.takeBackInFlight()) {
      if (!this.#control.some((frame) => frame.kind === 'history' && frame.sessionId === sessionId)) {
        this.#control.push({ kind: 'history', sessionId });
      }
    }
    if (this.#pongWaiters.length > 0) this.#enqueue({ kind: 'ping' });
    for (const { sessionId, messageId } of this.#cancels.unanswered()) this.#enqueue({ kind: 'cancel', sessionId, messageId });
    this.pump();
  }
}

export type { LinkHost };
export { ChatLink };
