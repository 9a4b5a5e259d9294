import { HISTORY_MAX_LIMIT } from '../protocol/fields.ts';
import type { BackoffOptions } from './backoff.ts';
import type { RatePacerOptions } from './rate-pacer.ts';

/** Why the client asks for a token; a provider that caches tokens should fetch a new one unless `reason` is `connect` or `reconnect`. */
type TokenReason =
  /** The first connection. */
  | 'connect'
  /** After a drop, a keep-alive failure or a planned reconnect. */
  | 'reconnect'
  /** The last handshake failed before the socket opened: the token may have been refused (401). */
  | 'refused'
  /** The last token was already expired, or the server said FORBIDDEN (token expired mid-connection). */
  | 'expired';

interface TokenRequest {
  reason: TokenReason;
  /** Consecutive reconnect attempts so far (0 on the first connection). */
  attempt: number;
}

/**
 * Called before every (re)connect. Return the token (a JWT), or `null` when there is none to give
 * (signed out): the client then stops with status `closed`, reason `no-token`.
 */
type TokenProvider = (request: TokenRequest) => Promise<string | null | undefined> | string | null | undefined;

/** The part of the standard WebSocket API the client uses (browsers, Node 22+'s global, or a compatible class). */
interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

type WebSocketFactory = new (url: string) => WebSocketLike;

interface ReconnectOptions extends BackoffOptions {
  /** Consecutive reconnects without a stable connection before giving up (status `closed`, reason `gave-up`). @default 20 */
  maxAttempts: number;
  /** A connection open this long resets the attempt count. @default 60000 */
  stableAfterMs: number;
}

interface KeepAliveOptions {
  /** A `ping` this often; must be under API Gateway's 10-minute idle timeout. @default 300000 (5 minutes) */
  intervalMs: number;
  /** No frame within this long after a ping marks the connection dead; the client reconnects. @default 10000 */
  timeoutMs: number;
}

interface ChatClientOptions {
  /** The WebSocket API's URL with its stage, e.g. `wss://abc123.execute-api.eu-west-1.amazonaws.com/prod`. */
  url: string;
  /** Called on every (re)connect; the token goes in the `token` query parameter. */
  token: TokenProvider;
  /** @default { baseDelayMs: 1000, maxDelayMs: 30000, maxAttempts: 20, stableAfterMs: 60000 } */
  reconnect?: Partial<ReconnectOptions>;
  /**
   * Consecutive handshakes that fail before the socket opens (a browser cannot see the 401/403/429
   * status) before giving up with status `closed`, reason `refused`. Each retry asks the provider
   * for a new token first (reason `refused`) and waits the backoff delay.
   * @default 5
   */
  maxHandshakeFailures?: number;
  /** @default { intervalMs: 300000, timeoutMs: 10000 } */
  keepAlive?: Partial<KeepAliveOptions>;
  /** Reconnect on purpose before API Gateway's 2-hour connection limit. @default 6900000 (1 h 55 min) */
  maxConnectionAgeMs?: number;
  /** Unacknowledged chat messages kept while offline; `send` throws OutboxFullError beyond. @default 100 */
  outboxCapacity?: number;
  /** The client's pace, matching the server's per-connection bucket. @default { burst: 10, perSecond: 1 } */
  rateLimit?: Partial<RatePacerOptions>;
  /** A chat message or history request unanswered this long is sent again (both are idempotent). @default 15000 */
  requestTimeoutMs?: number;
  /** Sends of one chat message that time out or fail on the server before it is given up (`sendFailed`). @default 5 */
  maxSendAttempts?: number;
  /** History page size when resuming (1–100); halved for a page the server could not send (MESSAGE_TOO_LARGE). @default 100 */
  historyPageSize?: number;
  /**
   * Requests for one history page that get no answer within `requestTimeoutMs` or an error frame
   * (each retry after a backoff delay) before the client gives up on that session's history:
   * `openSession` rejects with HistoryFailedError, `historyFailed` is emitted, and live messages held
   * back meanwhile are delivered. @default 4
   */
  maxHistoryAttempts?: number;
  /** Resume history from this long before the last message seen (dedupe drops the overlap). @default 5000 */
  resumeOverlapMs?: number;
  /**
   * After a reconnect, a session whose newest message is the user's may still get its reply, and the
   * server sends a reply to the connections that were live when the question arrived: the client
   * fetches the session's history again after this delay, doubling, up to `replyRechecks` times,
   * until an assistant message arrives. @default 2000
   */
  replyRecheckMs?: number;
  /** @default 5 (about a minute in all) */
  replyRechecks?: number;
  /**
   * Send the next chat message only after the previous one's reply has arrived, so replies never
   * interleave with later questions and arrive in messageId order. `false` sends each message as soon
   * as the previous one is acknowledged. @default true
   */
  awaitReplies?: boolean;
  /** With `awaitReplies`, how long to wait for a reply (each streamed chunk restarts it) before sending the next message anyway. @default 30000 */
  replyTimeoutMs?: number;
  /** @default globalThis.WebSocket */
  WebSocket?: WebSocketFactory;
  /** For tests: the jitter's random source. @default Math.random */
  random?: () => number;
}

const IDLE_TIMEOUT_MS = 10 * 60 * 1000;
const MAX_CONNECTION_MS = 2 * 60 * 60 * 1000;

interface ResolvedOptions {
  url: string;
  token: TokenProvider;
  reconnect: ReconnectOptions;
  maxHandshakeFailures: number;
  keepAlive: KeepAliveOptions;
  maxConnectionAgeMs: number;
  outboxCapacity: number;
  rateLimit: RatePacerOptions;
  requestTimeoutMs: number;
  maxSendAttempts: number;
  historyPageSize: number;
  maxHistoryAttempts: number;
  resumeOverlapMs: number;
  replyRecheckMs: number;
  replyRechecks: number;
  awaitReplies: boolean;
  replyTimeoutMs: number;
  WebSocket: WebSocketFactory;
  random: () => number;
}

const positive = (name: string, value: number): number => {
  if (!(typeof value === 'number' && value > 0)) throw new RangeError(`${name} must be a positive number`);
  return value;
};

const resolveOptions = (options: ChatClientOptions): ResolvedOptions => {
  const WebSocketClass = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketFactory }).WebSocket;
  if (!WebSocketClass) throw new TypeError('No WebSocket implementation: pass options.WebSocket (Node 22+ and browsers have one)');
  if (typeof options.token !== 'function') throw new TypeError('options.token must be a function returning a token');
  const reconnect = { baseDelayMs: 1000, maxDelayMs: 30_000, maxAttempts: 20, stableAfterMs: 60_000, ...options.reconnect };
  const keepAlive = { intervalMs: 300_000, timeoutMs: 10_000, ...options.keepAlive };
  const resolved: ResolvedOptions = {
    url: options.url,
    token: options.token,
    reconnect,
    maxHandshakeFailures: options.maxHandshakeFailures ?? 5,
    keepAlive,
    maxConnectionAgeMs: options.maxConnectionAgeMs ?? MAX_CONNECTION_MS - 5 * 60 * 1000,
    outboxCapacity: options.outboxCapacity ?? 100,
    rateLimit: { burst: 10, perSecond: 1, ...options.rateLimit },
    requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
    maxSendAttempts: options.maxSendAttempts ?? 5,
    historyPageSize: options.historyPageSize ?? 100,
    maxHistoryAttempts: options.maxHistoryAttempts ?? 4,
    resumeOverlapMs: options.resumeOverlapMs ?? 5000,
    replyRecheckMs: options.replyRecheckMs ?? 2000,
    replyRechecks: options.replyRechecks ?? 5,
    awaitReplies: options.awaitReplies ?? true,
    replyTimeoutMs: options.replyTimeoutMs ?? 30_000,
    WebSocket: WebSocketClass,
    random: options.random ?? Math.random,
  };
  new URL(resolved.url);
  for (const [name, value] of Object.entries({
    'reconnect.baseDelayMs': reconnect.baseDelayMs,
    'reconnect.maxDelayMs': reconnect.maxDelayMs,
    'reconnect.maxAttempts': reconnect.maxAttempts,
    'reconnect.stableAfterMs': reconnect.stableAfterMs,
    maxHandshakeFailures: resolved.maxHandshakeFailures,
    'keepAlive.intervalMs': keepAlive.intervalMs,
    'keepAlive.timeoutMs': keepAlive.timeoutMs,
    maxConnectionAgeMs: resolved.maxConnectionAgeMs,
    requestTimeoutMs: resolved.requestTimeoutMs,
    maxSendAttempts: resolved.maxSendAttempts,
    replyRecheckMs: resolved.replyRecheckMs,
    replyTimeoutMs: resolved.replyTimeoutMs,
  }))
    positive(name, value);
  if (typeof resolved.awaitReplies !== 'boolean') throw new TypeError('awaitReplies must be a boolean');
  if (!Number.isInteger(resolved.maxHistoryAttempts) || resolved.maxHistoryAttempts < 1) throw new RangeError('maxHistoryAttempts must be a positive integer');
  if (!Number.isInteger(resolved.replyRechecks) || resolved.replyRechecks < 0) throw new RangeError('replyRechecks must be a non-negative integer');
  if (keepAlive.intervalMs >= IDLE_TIMEOUT_MS) throw new RangeError('keepAlive.intervalMs must be under 10 minutes (API Gateway idle timeout)');
  if (resolved.maxConnectionAgeMs >= MAX_CONNECTION_MS) throw new RangeError('maxConnectionAgeMs must be under 2 hours (API Gateway maximum)');
  if (!Number.isInteger(resolved.historyPageSize) || resolved.historyPageSize < 1 || resolved.historyPageSize > HISTORY_MAX_LIMIT) {
    throw new RangeError(`historyPageSize must be an integer from 1 to ${HISTORY_MAX_LIMIT}`);
  }
  return resolved;
};

export type { ChatClientOptions, KeepAliveOptions, ReconnectOptions, ResolvedOptions, TokenProvider, TokenReason, TokenRequest, WebSocketFactory, WebSocketLike };
export { resolveOptions };
