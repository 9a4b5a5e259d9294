import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConnectionRegistry, LiveConnection } from './connections.ts';

/** API Gateway's limits: a message is at most 128 KB; the gateway sends it in frames of at most 32 KB. */
interface ManagementApiLimits {
  messageLimitBytes: number;
  frameLimitBytes: number;
}

interface ManagementApiDeps {
  stage: string;
  registry: ConnectionRegistry;
  limits: ManagementApiLimits;
}

/** What DeleteConnection reports to `$disconnect` (the client gets a 1000 close frame). */
const CLOSED_BY_API = { code: 1000, reason: 'Connection Closed Normally' };

const sendJson = (res: ServerResponse, status: number, body: unknown, errorType?: string): void => {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(payload),
    'x-amzn-RequestId': randomUUID(),
    ...(errorType ? { 'x-amzn-ErrorType': errorType } : {}),
  });
  res.end(payload);
};

const sendEmpty = (res: ServerResponse, status: number): void => {
  res.writeHead(status, { 'Content-Length': 0, 'x-amzn-RequestId': randomUUID() });
  res.end();
};

/** 410 with the error type header, so the real SDK raises `GoneException`. */
const gone = (res: ServerResponse): void => sendJson(res, 410, {}, 'GoneException');
const forbidden = (res: ServerResponse): void => sendJson(res, 403, { message: 'Forbidden' }, 'ForbiddenException');

const readBody = (req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });

/** Sends one message as text frames of at most `frameLimit` bytes, as API Gateway fragments a post. */
const sendFragmented = (connection: LiveConnection, data: Buffer, frameLimit: number): void => {
  const socket = connection.socket;
  if (!socket) return;
  if (data.length <= frameLimit) {
    socket.send(data, { binary: false });
    return;
  }
  for (let offset = 0; offset < data.length; offset += frameLimit) {
    const end = Math.min(offset + frameLimit, data.length);
    socket.send(data.subarray(offset, end), { binary: false, fin: end === data.length });
  }
};

const isoTime = (epochMs: number): string => new Date(epochMs).toISOString();

/**
 * The `@connections` API at `/{stage}/@connections/{connectionId}`: POST sends the raw body to the
 * client, GET describes the connection, DELETE closes it. A connection that is unknown, closed or
 * still inside `$connect` answers 410 GoneException. Requests are not SigV4-verified.
 * @returns false when the request is not for the management API.
 */
const handleManagementRequest = async (req: IncomingMessage, res: ServerResponse, deps: ManagementApiDeps): Promise<boolean> => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const match = /^\/([^/]+)\/@connections\/([^/]+)\/?$/.exec(url.pathname);
  if (!match) return false;
  const [, stage = '', encodedId = ''] = match;
  if (decodeURIComponent(stage) !== deps.stage) {
    forbidden(res);
    return true;
  }
  const connectionId = decodeURIComponent(encodedId);
  switch (req.method) {
    case 'POST': {
      const body = await readBody(req, deps.limits.messageLimitBytes);
      if (body === 'too-large') {
        sendJson(res, 413, { message: 'Request entity too large' }, 'PayloadTooLargeException');
        return true;
      }
      const connection = deps.registry.getOpen(connectionId);
      if (!connection) {
        gone(res);
        return true;
      }
      sendFragmented(connection, body, deps.limits.frameLimitBytes);
      deps.registry.touch(connection);
      sendEmpty(res, 200);
      return true;
    }
    case 'GET': {
      const connection = deps.registry.getOpen(connectionId);
      if (!connection) {
        gone(res);
        return true;
      }
      sendJson(res, 200, {
        connectedAt: isoTime(connection.facts.connectedAt),
        identity: {
          sourceIp: connection.facts.sourceIp,
          ...(connection.facts.userAgent === undefined ? {} : { userAgent: connection.facts.userAgent }),
        },
        lastActiveAt: isoTime(connection.lastActiveAt),
      });
      return true;
    }
    case 'DELETE': {
      const connection = deps.registry.getOpen(connectionId);
      if (!connection) {
        gone(res);
        return true;
      }
      deps.registry.closeByServer(connection, CLOSED_BY_API, '');
      sendEmpty(res, 204);
      return true;
    }
    default:
      forbidden(res);
      return true;
  }
};

export type { ManagementApiDeps, ManagementApiLimits };
export { handleManagementRequest };
