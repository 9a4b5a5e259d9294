import type { HistoryFailedError } from './errors.ts';
import type { ChatMessage, IntegrationTimeout, ServerError } from './protocol.ts';
import type { ReplyChunk } from './reply-streams.ts';

type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Why the client is reconnecting. */
type ReconnectReason = 'dropped' | 'keep-alive-timeout' | 'planned' | 'forbidden' | 'refused' | 'token-error';

/** Why the client is closed. */
type ClosedReason = 'not-started' | 'client-closed' | 'refused' | 'gave-up' | 'no-token' | 'token-expired';

interface StatusChange {
  status: ConnectionStatus;
  reason?: ReconnectReason | ClosedReason;
  /** While reconnecting: the attempt number (1 for the first retry). */
  attempt?: number;
  /** While reconnecting: the delay before the next attempt. */
  retryInMs?: number;
  /** A sentence for people. */
  detail?: string;
}

interface SendFailure {
  clientMessageId: string;
  sessionId: string;
  message: string;
  error: Error;
}

interface HistoryFailure {
  sessionId: string;
  error: HistoryFailedError;
}

interface ChatClientEvents {
  /**
   * Every stored chat message (the user's and the assistant's, from this or another device) once, in
   * order per session. An assistant reply comes once it has ended, with its final `status`
   * (`complete`, `cancelled`, `failed`, `truncated`): its `message` is the whole stored text and
   * replaces what its `chunk` events built. A reply still `streaming` never comes as a `message`.
   */
  message: ChatMessage;
  /**
   * A piece of an assistant reply while it streams. Each piece continues the reply's text exactly
   * where the previous one ended: `offset` (code points) is always the length handed out before, so
   * `text += delta` never doubles or skips text, across drops, reconnects and a new client after a
   * reload. Pieces come from live chunk frames (with their `seq`) and from `history` (the text so far
   * of a reply still `streaming`, without `seq`); chunks missed during a drop are fetched from history.
   */
  chunk: ReplyChunk;
  status: StatusChange;
  /**
   * An `error` frame from the server. The client also acts on some: RATE_LIMITED and MODEL_BUSY (it
   * waits `retryAfterMs` and resends), INTERNAL_ERROR (it resends after a pause), BUDGET_EXCEEDED and
   * ASSISTANT_UNAVAILABLE (it gives up the message they refused: `sendFailed` with a SendRefusedError).
   */
  error: ServerError;
  /** A chat message given up: after `maxSendAttempts` unanswered sends (SendFailedError), or refused for good (SendRefusedError). */
  sendFailed: SendFailure;
  /** A session's history given up after `maxHistoryAttempts` failed requests for one page; held live messages were delivered. */
  historyFailed: HistoryFailure;
  /** Harmless things worth a debug log: API Gateway's integration timeout frame (the function keeps running; nothing is resent). */
  debug: IntegrationTimeout;
}

/** What `send` returns. `acknowledged` resolves with the stored message (its `messageId`) once the server has it. */
interface PendingMessage {
  clientMessageId: string;
  sessionId: string;
  message: string;
  acknowledged: Promise<ChatMessage>;
}

/** How the layers under `ChatClient` emit its events. */
type Emit = <K extends keyof ChatClientEvents>(event: K, payload: ChatClientEvents[K]) => void;

export type { ChatClientEvents, ClosedReason, ConnectionStatus, Emit, HistoryFailure, PendingMessage, ReconnectReason, SendFailure, StatusChange };
