/**
 * One Lambda execution environment: a worker thread with its own `process.env` and module graph. It
 * imports the function's module once (the cold start) and then runs one invocation at a time with a
 * fresh Lambda context, as a warm sandbox does. Node runs this file directly (erasable TypeScript only).
 */
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

interface SandboxData {
  modulePath: string;
  handlerExport: string;
  functionName: string;
  functionArn: string;
  memoryMb: number;
  timeoutMs: number;
  logGroupName: string;
  logStreamName: string;
}

interface InvokeRequest {
  id: number;
  event: unknown;
  /** The invocation's awsRequestId: an async event's retries keep the first attempt's, as on Lambda. */
  requestId: string;
}

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const data = workerData as SandboxData;
const port = parentPort;
if (!port) throw new Error('sandbox-worker must run in a worker thread');

const serializeError = (error: unknown) =>
  error instanceof Error
    ? { errorType: error.name, errorMessage: error.message, stack: error.stack?.split('\n') ?? [] }
    : { errorType: 'Error', errorMessage: String(error), stack: [] };

/** A Lambda context like the Node.js runtime's (the deprecated done/succeed/fail included). */
const lambdaContext = (startedAt: number, requestId: string) => {
  const unsupported = (name: string) => () => {
    throw new Error(`context.${name}() is not supported by async handlers`);
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: data.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: data.functionArn,
    memoryLimitInMB: String(data.memoryMb),
    awsRequestId: requestId,
    logGroupName: data.logGroupName,
    logStreamName: data.logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, startedAt + data.timeoutMs - Date.now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
};

let handler: Handler | undefined;
try {
  const loaded = (await import(pathToFileURL(data.modulePath).href)) as Record<string, unknown>;
  const candidate = loaded[data.handlerExport];
  if (typeof candidate !== 'function') {
    throw Object.assign(new Error(`${data.modulePath} does not export a function "${data.handlerExport}"`), {
      name: 'Runtime.HandlerNotFound',
    });
  }
  handler = candidate as Handler;
  port.postMessage({ type: 'ready' });
} catch (error) {
  port.postMessage({ type: 'init-error', error: serializeError(error) });
}

port.on('message', async (request: InvokeRequest) => {
  if (!handler) return;
  const context = lambdaContext(Date.now(), request.requestId);
  // The handler's own time, as Lambda's Duration reports it (queueing for a sandbox excluded).
  const started = performance.now();
  try {
    const result = await handler(request.event, context);
    const durationMs = performance.now() - started;
    // Lambda serialises the result to JSON; so does the emulation (undefined becomes null).
    port.postMessage({ type: 'result', id: request.id, ok: true, result: JSON.parse(JSON.stringify(result ?? null)), durationMs });
  } catch (error) {
    const serialized = serializeError(error);
    // What the Node.js runtime writes to the function's log when an invocation fails.
    process.stderr.write(`${new Date().toISOString()}\t${context.awsRequestId}\tERROR\tInvoke Error \t${JSON.stringify(serialized)}\n`);
    port.postMessage({ type: 'result', id: request.id, ok: false, error: serialized, durationMs: performance.now() - started });
  }
});
