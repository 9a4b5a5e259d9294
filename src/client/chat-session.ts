import { minMessageIdAt } from '../protocol/message-id-time.ts';
import { ChatLink, type LinkHost } from './chat-link.ts';
import type { Connection } from './connection.ts';
import { ConnectionClosedError, SendFailedError, SendRefusedError } from './errors.ts';
import type { Emit, PendingMessage, StatusChange } from './events.ts';
import { MessageLedger } from './message-ledger.ts';
import type { ResolvedOptions } from './options.ts';
import { Outbox, type OutgoingMessage } from './outbox.ts';
import {
  assertClientMessageId,
  assertMessageId,
  assertMessageText,
  assertSessionId,
  type CancelResult,
  type ChatChunk,
  type ChatMessage,
  type IntegrationTimeout,
  type PongData,
  type ServerError,
} from './protocol.ts';
import { type ReplyChunk, ReplyStreams } from './reply-streams.ts';
import { ReplyTurn } from './reply-turn.ts';
import { SessionResumes } from './session-resumes.ts';
import type { SessionHandler, TransportClient } from './transport.ts';

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
 * The chat session, the layer above the transport: the outbox of unacknowledged messages, the ledger
 * that delivers each message once and in order, the followed sessions and their resumes, and the
 * reply turn. What belongs to one connection lives in its `ChatLink`, created when a socket opens
 * and disposed with it.
 */
class ChatSession implements TransportClient, LinkHost {
  public readonly outbox: Outbox;
  public readonly ledger = new MessageLedger();
  public readonly turn: ReplyTurn;
  readonly #options: ResolvedOptions;
  readonly #emit: Emit;
  /** The server refused the token mid-connection: the transport's next token must be a fresh one. */
  readonly #tokenRefused: () => void;
  readonly #streams = new ReplyStreams();
  readonly #resumes: SessionResumes;
  #link: ChatLink | undefined;

  public constructor(options: ResolvedOptions, emit: Emit, tokenRefused: () => void) {
    this.#options = options;
    this.#emit = emit;
    this.#tokenRefused = tokenRefused;
    this.outbox = new Outbox(options.outboxCapacity);
    this.turn = new ReplyTurn(options.replyTimeoutMs, () => this.#link?.pump());
    this.#resumes = new SessionResumes({
      ledger: this.ledger,
      resumeOverlapMs: options.resumeOverlapMs,
      link: () => this.#link,
      deliver: (messages) => this.#deliver(messages),
      streamed: (sessionId, replies) => this.#streamed(sessionId, replies),
      historyFailed: (sessionId, error) => this.#emit('historyFailed', { sessionId, error }),
    });
  }

  public get connectionId(): string | undefined {
    return this.#link?.connectionId;
  }

  public send(sessionId: string, message: string, options: { clientMessageId?: string }): PendingMessage {
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
    this.outbox.add({ clientMessageId, sessionId, message, inFlight: false, failures: 0, resolve, reject });
    this.#resumes.followSent(sessionId, () => minMessageIdAt(Date.now() - SEND_TRACKING_LOOKBACK_MS));
    this.#link?.pump();
    return { clientMessageId, sessionId, message, acknowledged };
  }

  public openSession(sessionId: string): Promise<void> {
    assertSessionId(sessionId);
    return this.#resumes.open(sessionId);
  }

  public closeSession(sessionId: string): void {
    this.#link?.replyChecks.cancel(sessionId);
    this.#link?.gapChecks.cancel(sessionId);
    this.#resumes.close(sessionId);
  }

  public ping(): Promise<PongData> {
    return this.#link?.ping() ?? Promise.reject(new ConnectionClosedError('Not connected'));
  }

  public cancel(sessionId: string, messageId: string): Promise<CancelResult> {
    assertSessionId(sessionId);
    assertMessageId(messageId);
    return this.#link?.cancel(sessionId, messageId) ?? Promise.reject(new ConnectionClosedError('Not connected'));
  }

  public connected(connection: Connection, reconnected: boolean): SessionHandler {
    this.outbox.resetInFlight();
    this.#link = new ChatLink(connection, this.#options, this, reconnected);
    return this.#link;
  }

  public stopped(change: StatusChange): void {
    // A resume cut short keeps holding its live messages: the next connect() merges them in order.
    this.turn.abandon();
    this.#resumes.rejectWaiting(new ConnectionClosedError(change.detail));
  }

  public disposed(link: ChatLink): void {
    if (this.#link === link) this.#link = undefined;
  }

  public resumeAll(): void {
    this.#resumes.resumeAll();
  }

  public recheck(sessionId: string): void {
    this.#resumes.resumeIfIdle(sessionId);
  }

  public chatMessage(message: ChatMessage): void {
    if (message.status === 'streaming') {
      this.#streamed(message.sessionId, [message]);
      return;
    }
    const head = this.outbox.head();
    const entry = message.role === 'user' && message.clientMessageId !== undefined ? this.outbox.acknowledge(message.clientMessageId) : undefined;
    if (message.role === 'assistant') {
      this.#link?.replyChecks.cancel(message.sessionId);
      this.#streams.finished(message.messageId, message.sessionId);
    }
    if (!entry) {
      this.#deliver(this.ledger.live(message));
      return;
    }
    if (entry === head) this.#link?.clearAckTimer();
    entry.resolve(message);
    this.#deliver(this.ledger.acknowledged(message.sessionId, message));
    if (this.#options.awaitReplies && !this.ledger.repliedAfter(message.sessionId, message.messageId)) {
      this.turn.begin(entry, message.messageId);
    }
    this.#link?.pump();
  }

  public chunk(chunk: ChatChunk): void {
    this.turn.progressed(chunk.sessionId);
    const { pieces, gap } = this.#streams.accept(chunk);
    this.#emitPieces(pieces);
    // Chunks were missed: history holds the text so far. A resume running now fetches it (and looks again when it ends).
    if (gap && this.#resumes.follows(chunk.sessionId) && !this.ledger.isResuming(chunk.sessionId)) this.#link?.gapChecks.schedule(chunk.sessionId);
  }

  public serverError(error: ServerError): void {
    const link = this.#link;
    if (error.code === 'RATE_LIMITED') {
      // The frame refused is not named: pause, then resend whatever is still unanswered (all idempotent).
      link?.pause(error.retryAfterMs ?? 1000);
    } else if (error.code === 'MODEL_BUSY') {
      // As for RATE_LIMITED, the server's wait, then the resend; but the question was stored before the
      // model refused, so it is the awaited question that goes again (same clientMessageId), and the
      // resends count against maxSendAttempts: a model throttled for hours is not asked forever.
      if (link) this.#askAgain(link, error.retryAfterMs ?? SERVER_ERROR_PAUSE_MS);
    } else if (error.code === 'INTERNAL_ERROR') {
      if (link) {
        link.historyFailed('INTERNAL_ERROR');
        this.#askAgain(link, SERVER_ERROR_PAUSE_MS);
      }
    } else if (error.code === 'MESSAGE_TOO_LARGE') {
      link?.historyFailed('MESSAGE_TOO_LARGE');
    } else if (error.code === 'BUDGET_EXCEEDED' || error.code === 'ASSISTANT_UNAVAILABLE' || error.code === 'ANSWER_IN_PROGRESS') {
      // Asking again does not help until the budget resets, an operator acts, or the session's answer
      // in progress ends (the application may cancel it or wait): nothing is resent.
      // The refused message goes first, or ending the turn would send the next one and give that up.
      this.#refused(error);
      this.turn.end();
    } else {
      // Any other error may concern the awaited reply: stop waiting for it.
      this.turn.end();
      if (error.code === 'FORBIDDEN') this.#tokenRefused();
    }
    this.#emit('error', error);
  }

  public gatewayError(error: ServerError): void {
    this.#emit('error', error);
  }

  /** The route's function outlived API Gateway's integration timeout and keeps running: its answer still comes. */
  public integrationTimeout(timeout: IntegrationTimeout): void {
    this.#emit('debug', timeout);
  }

  public ackTimedOut(entry: OutgoingMessage): void {
    if (this.outbox.head() !== entry || !entry.inFlight) return;
    this.#attemptFailed(entry);
    this.#link?.pump();
  }

  /**
   * INTERNAL_ERROR and MODEL_BUSY ask the client to retry; the frame that failed is not named. After
   * a pause, everything unanswered is resent (all idempotent): the message in flight, pending history
   * requests, and an acknowledged question still waiting for its reply (the server stores it once
   * and, when its reply failed, answers the resend).
   */
  #askAgain(link: ChatLink, pauseMs: number): void {
    const head = this.outbox.head();
    const question = this.turn.abandon();
    if (head?.inFlight) this.#attemptFailed(head);
    else if (question && question.failures + 1 < this.#options.maxSendAttempts) {
      question.failures += 1;
      this.outbox.retryFirst(question);
    }
    link.pause(pauseMs);
  }

  /** The message in flight, if any, is the one refused: it leaves the queue, and a new one is rejected with the refusal. */
  #refused(error: ServerError): void {
    const head = this.outbox.head();
    if (!head?.inFlight) return;
    this.#link?.clearAckTimer();
    this.#giveUp(head, new SendRefusedError(head.clientMessageId, error));
    this.#link?.pump();
  }

  /** A send of `entry` got no acknowledgement (a timeout or a server error): it goes again, unless that was the last attempt. */
  #attemptFailed(entry: OutgoingMessage): void {
    this.#link?.clearAckTimer();
    entry.inFlight = false;
    entry.failures += 1;
    if (entry.failures < this.#options.maxSendAttempts) return;
    this.#giveUp(entry, new SendFailedError(entry.clientMessageId, entry.failures));
  }

  /** Takes `entry` out of the queue and tells the application, unless it was stored already. */
  #giveUp(entry: OutgoingMessage, error: Error): void {
    this.outbox.acknowledge(entry.clientMessageId);
    this.#deliver(this.ledger.acknowledged(entry.sessionId));
    // A question stored already (only its reply failed) is not a failed send: it just stops being asked again.
    if (entry.stored) return;
    entry.reject(error);
    this.#emit('sendFailed', { clientMessageId: entry.clientMessageId, sessionId: entry.sessionId, message: entry.message, error });
  }

  /** Hands messages to the application, in the order given. */
  #deliver(messages: ChatMessage[]): void {
    for (const message of messages) {
      // A final reply from history ends its stream too (its final frame may have gone to a dropped connection).
      if (message.role === 'assistant') this.#streams.finished(message.messageId, message.sessionId);
      this.turn.delivered(message);
      this.#emit('message', message);
    }
  }

  /** Replies history returned still `streaming`: their text so far continues what was shown; a gap still open is looked at again soon. */
  #streamed(sessionId: string, replies: ChatMessage[]): void {
    for (const reply of replies) {
      this.turn.progressed(sessionId);
      this.#emitPieces(this.#streams.fill(reply).pieces);
    }
    if (this.#streams.gapped(sessionId)) this.#link?.gapChecks.schedule(sessionId);
    else this.#link?.gapChecks.cancel(sessionId);
  }

  #emitPieces(pieces: ReplyChunk[]): void {
    for (const piece of pieces) this.#emit('chunk', piece);
  }
}

export { ChatSession };
