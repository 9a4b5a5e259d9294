import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { InvocationSource } from './function-host.ts';
import type { Listener } from './http-front.ts';
import type { InvokeOutcome } from './lambda-runtime.ts';

/** What the Invoke API needs of the function host. */
interface InvokeApiDeps {
  /** `{env}-websocket`: the Lambda names are `{prefix}-{short name}`. */
  functionNamePrefix: string;
  region: string;
  accountId: string;
  functionNames: ReadonlySet<string>;
  invokeFunction(name: string, event: unknown, source: InvocationSource): Promise<InvokeOutcome>;
  /** Queues an async event. @returns its request id */
  enqueueEvent(name: string, event: unknown): string;
}

/** Lambda's payload limits: 6 MB for a synchronous invocation, 1 MB for an asynchronous one (256 KB before October 2025). */
const REQUEST_RESPONSE_LIMIT_BYTES = 6 * 1024 * 1024;
const EVENT_LIMIT_BYTES = 1024 * 1024;

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;

const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload), 'x-amzn-RequestId': randomUUID(), ...headers });
  res.end(payload);
};

/** An error as Lambda's REST API answers it: the type in x-amzn-ErrorType, so the SDK raises that exception class. */
const sendError = (res: ServerResponse, status: number, errorType: string, message: string): void =>
  sendJson(res, status, { Type: 'User', Message: message }, { 'x-amzn-ErrorType': errorType });

/**
 * The short name a FunctionName designates: the function's name (`dev-websocket-respond`), its ARN,
 * or a partial ARN (`000000000000:function:dev-websocket-respond`), with `$LATEST` as the only
 * qualifier (there are no versions or aliases locally). Undefined when no such function exists.
 */
const resolveFunctionName = (requested: string, qualifier: string | null, deps: InvokeApiDeps): string | undefined => {
  const arn = /^(?:arn:aws:lambda:([^:]+):)?(?:(\d{12}):function:)?([^:]+)(?::([^:]+))?$/.exec(requested);
  if (!arn) return undefined;
  const [, region, accountId, name = '', nameQualifier] = arn;
  if ((region !== undefined && region !== deps.region) || (accountId !== undefined && accountId !== deps.accountId)) return undefined;
  if (![nameQualifier, qualifier].every((given) => given === undefined || given === null || given === '$LATEST')) return undefined;
  if (!name.startsWith(`${deps.functionNamePrefix}-`)) return undefined;
  const short = name.slice(deps.functionNamePrefix.length + 1);
  return deps.functionNames.has(short) ? short : undefined;
};

const readBody = (req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });

/** The payload as the event: JSON, or `{}` when empty. */
const parsePayload = (body: Buffer): { ok: true; event: unknown } | { ok: false } => {
  if (body.length === 0) return { ok: true, event: {} };
  try {
    return { ok: true, event: JSON.parse(body.toString('utf8')) as unknown };
  } catch {
    return { ok: false };
  }
};

/** RequestResponse: 200 with the result, or with `X-Amz-Function-Error: Unhandled` and the error as the Node.js runtime reports it. */
const answerInvocation = (res: ServerResponse, outcome: InvokeOutcome): void => {
  const headers = { 'X-Amz-Executed-Version': '$LATEST' };
  if (outcome.ok) sendJson(res, 200, outcome.result, headers);
  else
    sendJson(
      res,
      200,
      { errorType: outcome.error.errorType, errorMessage: outcome.error.errorMessage, trace: outcome.error.stack },
      { ...headers, 'X-Amz-Function-Error': 'Unhandled' },
    );
};

/** One Invoke call, once its function is known. */
const invoke = async (req: IncomingMessage, res: ServerResponse, name: string, deps: InvokeApiDeps): Promise<void> => {
  const invocationType = req.headers['x-amz-invocation-type'] ?? 'RequestResponse';
  if (invocationType !== 'RequestResponse' && invocationType !== 'Event' && invocationType !== 'DryRun') {
    sendError(res, 400, 'InvalidParameterValueException', `Unsupported invocation type: ${String(invocationType)}`);
    return;
  }
  const limit = invocationType === 'Event' ? EVENT_LIMIT_BYTES : REQUEST_RESPONSE_LIMIT_BYTES;
  const body = await readBody(req, limit);
  if (body === 'too-large') {
    sendError(res, 413, 'RequestTooLargeException', `Request must be smaller than ${limit} bytes for the ${invocationType === 'Event' ? 'InvokeAsync' : 'Invoke'} operation`);
    return;
  }
  const payload = parsePayload(body);
  if (!payload.ok) {
    sendError(res, 400, 'InvalidRequestContentException', 'Could not parse request body into json: the payload is not JSON');
    return;
  }
  if (invocationType === 'DryRun') {
    res.writeHead(204, { 'x-amzn-RequestId': randomUUID() }).end();
    return;
  }
  if (invocationType === 'Event') {
    const requestId = deps.enqueueEvent(name, payload.event);
    res.writeHead(202, { 'x-amzn-RequestId': requestId, 'Content-Length': 0 }).end();
    return;
  }
  const requestId = randomUUID();
  const outcome = await deps.invokeFunction(name, payload.event, { routeKey: 'Invoke', invocationType: 'RequestResponse', requestId });
  answerInvocation(res, outcome);
};

/**
 * Lambda's Invoke API for the gateway's functions (`POST /2015-03-31/functions/{FunctionName}/invocations`),
 * so the functions' real `LambdaClient` reaches them through AWS_ENDPOINT_URL_LAMBDA. Requests are not
 * SigV4-verified. Anything else on this listener is Lambda's 404 `UnknownOperationException`.
 */
const handleInvokeRequest = async (req: IncomingMessage, res: ServerResponse, deps: InvokeApiDeps): Promise<void> => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const match = INVOKE_PATH.exec(url.pathname);
  if (!match || req.method !== 'POST') {
    sendError(res, 404, 'UnknownOperationException', 'Unknown operation');
    return;
  }
  const requested = decodeURIComponent(match[1] ?? '');
  const name = resolveFunctionName(requested, url.searchParams.get('Qualifier'), deps);
  if (!name) {
    // Lambda drains the request before answering; so does this, so the client sees the answer, not a reset.
    req.resume();
    const arn = requested.startsWith('arn:') ? requested : `arn:aws:lambda:${deps.region}:${deps.accountId}:function:${requested}`;
    sendError(res, 404, 'ResourceNotFoundException', `Function not found: ${arn}`);
    return;
  }
  await invoke(req, res, name, deps);
};

/** The Invoke API on its own loopback port (never on the gateway's HOST, which may face the network). */
interface InvokeApi {
  /** e.g. `http://127.0.0.1:40123` (AWS_ENDPOINT_URL_LAMBDA) */
  endpoint: string;
  server: Server;
  /** Closes the listener; call it once the functions are stopped (they may still invoke until then). */
  stop(): Promise<void>;
}

/** Answers the Invoke API on its listener (opened before the functions exist: their environment names its port). */
const serveInvokeApi = (listener: Listener, deps: InvokeApiDeps, track: (work: Promise<unknown>) => void): InvokeApi => {
  const { server, port } = listener;
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    track(
      handleInvokeRequest(req, res, deps).catch(() => {
        if (!res.headersSent) sendJson(res, 500, { Type: 'Service', Message: 'The local Invoke API failed' }, { 'x-amzn-ErrorType': 'ServiceException' });
      }),
    );
  });
  const stop = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { endpoint: `http://127.0.0.1:${port}`, server, stop };
};

export type { InvokeApi, InvokeApiDeps };
export { handleInvokeRequest, resolveFunctionName, serveInvokeApi };
