/**
 * The faults the fake Bedrock runtime can inject, chosen per request by a marker in the last user
 * message (`[fault:throttle]`) or for every request by an option. Markers are for tests and for people
 * trying the demo: type `hello [fault:exception-at:3]` in the chat page to see an interrupted answer.
 */

/** Refusals before the stream starts: an HTTP error with the JSON body and `x-amzn-ErrorType` the SDK parses. */
type HttpErrorName =
  | 'ThrottlingException'
  | 'AccessDeniedException'
  | 'ResourceNotFoundException'
  | 'ValidationException'
  | 'ServiceUnavailableException'
  | 'InternalServerException';

/** Exceptions the real service sends inside an open ConverseStream (`:message-type: exception`). */
type StreamExceptionType = 'modelStreamErrorException' | 'internalServerException' | 'throttlingException' | 'validationException' | 'serviceUnavailableException';

type Fault =
  /** The first `times` attempts of one SDK invocation are refused (every attempt when `times` is undefined). */
  | { kind: 'http-error'; error: HttpErrorName; times?: number }
  /** After `afterEvents` events of the stream, an exception message ends it. */
  | { kind: 'exception'; exceptionType: StreamExceptionType; afterEvents: number }
  /** After `afterEvents` events the stream goes silent, the connection left open. */
  | { kind: 'stall'; afterEvents: number };

const HTTP_STATUS: Record<HttpErrorName, number> = {
  ThrottlingException: 429,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ValidationException: 400,
  ServiceUnavailableException: 503,
  InternalServerException: 500,
};

/** What the real service says, close enough for logs and tests. */
const HTTP_MESSAGE: Record<HttpErrorName, string> = {
  ThrottlingException: 'Too many requests, please wait before trying again.',
  AccessDeniedException: "You don't have access to the model with the specified model ID.",
  ResourceNotFoundException: 'The provided model identifier is invalid.',
  ValidationException: 'The model returned the following errors: malformed input request (fake Bedrock fault).',
  ServiceUnavailableException: 'The service is temporarily unavailable (fake Bedrock fault).',
  InternalServerException: 'The server encountered an internal error (fake Bedrock fault).',
};

const STREAM_EXCEPTIONS: readonly StreamExceptionType[] = [
  'modelStreamErrorException',
  'internalServerException',
  'throttlingException',
  'validationException',
  'serviceUnavailableException',
];

/** Events sent before a stall when the marker gives no count: messageStart and the first word. */
const DEFAULT_STALL_AFTER = 2;

const MARKER = /\[fault:([a-z-]+)(?::([A-Za-z0-9]+))?(?::([A-Za-z]+))?\]/;

/**
 * Reads the first fault marker of a message. Markers:
 * `[fault:throttle]` or `[fault:throttle:N]` (the first N attempts only, so the SDK's retry succeeds),
 * `[fault:access-denied]`, `[fault:unknown-model]`, `[fault:validation]`, `[fault:unavailable]`,
 * `[fault:internal]`, `[fault:exception-at:N]` or `[fault:exception-at:N:throttlingException]`
 * (N = events sent before the exception; default type modelStreamErrorException), `[fault:stall]` or
 * `[fault:stall:N]`.
 * @throws Error on a marker it does not know, so a typo in a test fails loudly.
 */
const parseFaultMarker = (text: string): Fault | undefined => {
  const match = MARKER.exec(text);
  if (!match) return undefined;
  const [marker, name, argument, extra] = match;
  const count = argument === undefined ? undefined : Number.parseInt(argument, 10);
  switch (name) {
    case 'throttle':
      return { kind: 'http-error', error: 'ThrottlingException', ...(count === undefined ? {} : { times: count }) };
    case 'access-denied':
      return { kind: 'http-error', error: 'AccessDeniedException' };
    case 'unknown-model':
      return { kind: 'http-error', error: 'ResourceNotFoundException' };
    case 'validation':
      return { kind: 'http-error', error: 'ValidationException' };
    case 'unavailable':
      return { kind: 'http-error', error: 'ServiceUnavailableException' };
    case 'internal':
      return { kind: 'http-error', error: 'InternalServerException' };
    case 'exception-at':
      return { kind: 'exception', afterEvents: requireCount(marker, count), exceptionType: streamExceptionType(marker, extra) };
    case 'stall':
      return { kind: 'stall', afterEvents: count ?? DEFAULT_STALL_AFTER };
    default:
      throw new Error(`Unknown fake Bedrock fault marker ${marker}`);
  }
};

const requireCount = (marker: string, count: number | undefined): number => {
  if (count === undefined || Number.isNaN(count)) throw new Error(`${marker} needs a number of events, e.g. [fault:exception-at:3]`);
  return count;
};

const streamExceptionType = (marker: string, name: string | undefined): StreamExceptionType => {
  if (name === undefined) return 'modelStreamErrorException';
  const found = STREAM_EXCEPTIONS.find((type) => type === name);
  if (!found) throw new Error(`${marker}: the exception type must be one of ${STREAM_EXCEPTIONS.join(', ')}`);
  return found;
};

export type { Fault, HttpErrorName, StreamExceptionType };
export { HTTP_MESSAGE, HTTP_STATUS, parseFaultMarker, STREAM_EXCEPTIONS };
