import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { EventStreamCodec, type MessageHeaders } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import type { HttpErrorName, StreamExceptionType } from './faults.ts';
import { HTTP_MESSAGE, HTTP_STATUS } from './faults.ts';

/**
 * Bedrock's wire format, as the SDK reads it: event-stream messages framed (prelude, headers, CRCs)
 * by Smithy's own codec, and HTTP errors named by `x-amzn-ErrorType` with a JSON `message`.
 */

const codec = new EventStreamCodec(toUtf8, fromUtf8);

const stringHeader = (value: string) => ({ type: 'string' as const, value });

/** One ConverseStream event (`messageStart`, `contentBlockDelta`, ...) with the headers the service sends. */
const encodeEvent = (eventType: string, payload: unknown): Uint8Array => {
  const headers: MessageHeaders = {
    ':event-type': stringHeader(eventType),
    ':content-type': stringHeader('application/json'),
    ':message-type': stringHeader('event'),
  };
  return codec.encode({ headers, body: fromUtf8(JSON.stringify(payload)) });
};

/** An exception inside an open stream; the SDK throws it as its modelled error class. */
const encodeException = (exceptionType: StreamExceptionType, message: string): Uint8Array => {
  const headers: MessageHeaders = {
    ':exception-type': stringHeader(exceptionType),
    ':content-type': stringHeader('application/json'),
    ':message-type': stringHeader('exception'),
  };
  const body = exceptionType === 'modelStreamErrorException' ? { message, originalStatusCode: 500, originalMessage: message } : { message };
  return codec.encode({ headers, body: fromUtf8(JSON.stringify(body)) });
};

const startEventStream = (response: ServerResponse): void => {
  response.writeHead(200, {
    'Content-Type': 'application/vnd.amazon.eventstream',
    'x-amzn-RequestId': randomUUID(),
  });
  response.flushHeaders();
};

/**
 * An error before the stream, shaped like the service's (the type suffix after `:` is what AWS
 * sends; the SDK strips it). `retryAfterMs` adds the `x-amz-retry-after` hint the SDK's retry honours.
 */
const writeHttpError = (response: ServerResponse, error: HttpErrorName, options: { message?: string; retryAfterMs?: number } = {}): void => {
  const body = JSON.stringify({ message: options.message ?? HTTP_MESSAGE[error] });
  response.writeHead(HTTP_STATUS[error], {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-ErrorType': `${error}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
    'x-amzn-RequestId': randomUUID(),
    ...(options.retryAfterMs === undefined ? {} : { 'x-amz-retry-after': String(options.retryAfterMs) }),
  });
  response.end(body);
};

export { encodeEvent, encodeException, startEventStream, writeHttpError };
