/**
 * The wire protocol as the client sees it (README, "Protocol"). Frame types and field rules come from
 * src/protocol/, which the server's frames and schemas are built from too, so the client refuses
 * locally what the server would refuse.
 */
import type { ErrorCode, ErrorDetail } from '../protocol/error-codes.ts';
import { CLIENT_MESSAGE_ID_RULE, MAX_MESSAGE_LENGTH, MESSAGE_ID_PATTERN, SESSION_ID_RULE } from '../protocol/fields.ts';
import type { CancelResultFrame, ChatMessage, ChatMessageChunkFrame, ErrorFrame, HistoryFrame, PongFrame, ReplyStatus, ServerFrame, TokenUsage } from '../protocol/frames.ts';

/** A streamed piece of an assistant reply; the complete reply follows as a `message` event. */
type ChatChunk = ChatMessageChunkFrame['data'];
type PongData = PongFrame['data'];
type HistoryPage = HistoryFrame['data'];
/** The answer to `cancel`: `cancelling` (the reply streams; its final `chat_message`, status `cancelled`, follows), `finished` (it had ended: `status` says how) or `unknown` (no such reply in the session). */
type CancelResult = CancelResultFrame['data'];

/** API Gateway's integration timeout: the route's function ran past 29 s (it keeps running); harmless, the answer comes on its own. */
interface IntegrationTimeout {
  kind: 'integration-timeout';
  message: string;
  requestId?: string;
  connectionId?: string;
}

/** An `error` frame from the server, flattened. */
interface ServerError {
  code: ErrorCode | 'GATEWAY_ERROR';
  message: string;
  details?: ErrorDetail[];
  retryAfterMs?: number;
  requestId?: string;
}

/** Thrown by `send` and `openSession` for input the server would refuse. */
class ClientValidationError extends Error {
  public readonly field: string;

  public constructor(field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.name = 'ClientValidationError';
    this.field = field;
  }
}

const SESSION_ID_PATTERN = new RegExp(SESSION_ID_RULE.pattern);
const CLIENT_MESSAGE_ID_PATTERN = new RegExp(CLIENT_MESSAGE_ID_RULE.pattern);

const checkId = (field: string, value: unknown, rule: { minLength: number; maxLength: number }, pattern: RegExp): void => {
  if (typeof value !== 'string' || value.length < rule.minLength || value.length > rule.maxLength || !pattern.test(value)) {
    throw new ClientValidationError(field, `must be ${rule.minLength}-${rule.maxLength} characters of A-Z a-z 0-9 _ . : -`);
  }
};

const assertSessionId = (sessionId: unknown): void => checkId('sessionId', sessionId, SESSION_ID_RULE, SESSION_ID_PATTERN);

const assertClientMessageId = (clientMessageId: unknown): void => checkId('clientMessageId', clientMessageId, CLIENT_MESSAGE_ID_RULE, CLIENT_MESSAGE_ID_PATTERN);

const MESSAGE_ID = new RegExp(MESSAGE_ID_PATTERN);

/** A stored message's id (a ULID), as `cancel` names a reply. */
const assertMessageId = (messageId: unknown): void => {
  if (typeof messageId !== 'string' || !MESSAGE_ID.test(messageId)) throw new ClientValidationError('messageId', 'must be a messageId (26 characters of Crockford base 32)');
};

/** The server counts characters as JSON Schema does: code points. */
const assertMessageText = (message: unknown): void => {
  if (typeof message !== 'string' || !/\S/.test(message)) throw new ClientValidationError('message', 'must not be blank');
  if ([...message].length > MAX_MESSAGE_LENGTH) {
    throw new ClientValidationError('message', `must be at most ${MAX_MESSAGE_LENGTH} characters`);
  }
};

/** What arrives on the socket: the project's frames, or API Gateway's own `{"message": ...}` frames. */
type IncomingFrame = ServerFrame | { type: 'gateway_error'; error: ServerError } | { type: 'integration_timeout'; timeout: IntegrationTimeout };

/** The message of API Gateway's frame when a route's integration ran past its timeout (29 s). */
const INTEGRATION_TIMEOUT_MESSAGE = 'Endpoint request timed out';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

const SERVER_FRAME_TYPES: ReadonlySet<unknown> = new Set<ServerFrame['type']>(['chat_message', 'chat_message_chunk', 'pong', 'history', 'cancel_result', 'error']);

/** A frame of one of the server's types, with the part each type carries (an error, or data). */
const isServerFrame = (frame: unknown): frame is ServerFrame =>
  isObject(frame) && SERVER_FRAME_TYPES.has(frame.type) && (frame.type === 'error' ? isObject(frame.error) : isObject(frame.data));

/** Parses one text frame; `undefined` for anything the client does not understand. */
const parseIncoming = (text: unknown): IncomingFrame | undefined => {
  if (typeof text !== 'string') return undefined;
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(frame)) return undefined;
  if (typeof frame.type === 'string') return isServerFrame(frame) ? frame : undefined;
  // API Gateway's own frames: {"message": "Internal server error", "connectionId", "requestId"}.
  if (frame.message === INTEGRATION_TIMEOUT_MESSAGE) {
    const timeout: IntegrationTimeout = { kind: 'integration-timeout', message: frame.message };
    if (typeof frame.requestId === 'string') timeout.requestId = frame.requestId;
    if (typeof frame.connectionId === 'string') timeout.connectionId = frame.connectionId;
    return { type: 'integration_timeout', timeout };
  }
  if (typeof frame.message === 'string') {
    return {
      type: 'gateway_error',
      error: {
        code: 'GATEWAY_ERROR',
        message: frame.message,
        ...(typeof frame.requestId === 'string' ? { requestId: frame.requestId } : {}),
      },
    };
  }
  return undefined;
};

const errorOf = (frame: ErrorFrame): ServerError => ({ ...frame.error, requestId: frame.requestId });

export type { CancelResult, ChatChunk, ChatMessage, ErrorCode, ErrorDetail, HistoryPage, IncomingFrame, IntegrationTimeout, PongData, ReplyStatus, ServerError, TokenUsage };
export { assertClientMessageId, assertMessageId, assertMessageText, assertSessionId, ClientValidationError, errorOf, parseIncoming };
