/** The chat client: one import for applications (`src/client/index.ts`). */

export type { BackoffOptions } from './backoff.ts';
export { backoffCeiling, fullJitterDelay } from './backoff.ts';
export { ChatClient } from './chat-client.ts';
export { ConnectionClosedError, HistoryFailedError, SendFailedError, SendRefusedError } from './errors.ts';
export type {
  ChatClientEvents,
  ClosedReason,
  ConnectionStatus,
  HistoryFailure,
  PendingMessage,
  ReconnectReason,
  SendFailure,
  StatusChange,
} from './events.ts';
export type { ChatClientOptions, KeepAliveOptions, ReconnectOptions, TokenProvider, TokenReason, TokenRequest, WebSocketLike } from './options.ts';
export { OutboxFullError } from './outbox.ts';
export type { CancelResult, ChatChunk, ChatMessage, IntegrationTimeout, PongData, ReplyStatus, ServerError, TokenUsage } from './protocol.ts';
export { ClientValidationError } from './protocol.ts';
export type { ReplyChunk } from './reply-streams.ts';
