import type { HistoryFailedError } from './errors.ts';
import type { ChatChunk, ChatMessage, ServerError } from './protocol.ts';

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
  /** Every chat message (the user's and the assistant's, from this or another device) once, in order per session. */
  message: ChatMessage;
  /**
   * A piece of an assistant reply while it streams; the complete reply follows as a `message`. Each
   * piece continues the text exactly where the previous one ended (`offset`, in code points): a
   * repeated piece is not emitted again, and after a lost one the rest of that stream is skipped.
   */
  chunk: ChatChunk;
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
