import type { Duplex } from 'node:stream';
import { awsStyleId } from './ids.ts';

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  405: 'Method Not Allowed',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

const INTERNAL_ERROR_BODY = '{"message": "Internal server error"}';

/** Answers an upgrade request that will not become a WebSocket, as API Gateway does, and closes the socket. */
const refuse = (socket: Duplex, status: number, body: string, errorType?: string, extraHeaders: string[] = []): void => {
  if (socket.destroyed) return;
  const head = [
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    `x-amzn-RequestId: ${awsStyleId()}`,
    ...(errorType ? [`x-amzn-ErrorType: ${errorType}`] : []),
    ...extraHeaders,
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
};

export { INTERNAL_ERROR_BODY, refuse, STATUS_TEXT };
