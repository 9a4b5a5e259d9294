import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ConverseRequest, lastQuestion, readConverseRequest } from './converse-request.ts';
import { type Fault, type HttpErrorName, parseFaultMarker } from './faults.ts';
import { type StreamEnd, streamAnswer } from './stream-answer.ts';
import { writeHttpError } from './wire.ts';

interface FakeBedrockOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** Loopback only: the fake checks no signature. @default '127.0.0.1' */
  host?: string;
  /** Words streamed per second; 0 streams as fast as the socket takes them. @default 40 */
  tokensPerSecond?: number;
  /** A fault for every request whose last user message carries no marker of its own. */
  fault?: Fault;
  /** Sent as `x-amz-retry-after` (ms) with every ThrottlingException; the SDK's retry waits at least that. */
  retryAfterMs?: number;
}

/** One HTTP request the fake received (each SDK attempt is one), for tests to assert on. */
interface FakeBedrockRequest {
  modelId: string;
  /** The SDK's `amz-sdk-invocation-id`: the same for every attempt of one `send()`. */
  invocationId: string | undefined;
  /** 1 for the first attempt of an invocation, 2 for its first retry... */
  attempt: number;
  /** The conversation as received; undefined when the body was refused as invalid. */
  conversation: ConverseRequest | undefined;
  fault: Fault | undefined;
  status: number;
  /** How the answer ended; `refused` for an HTTP error. Undefined while it is still streaming. */
  end: StreamEnd | 'refused' | undefined;
  /** Events sent (an exception message counts). */
  eventsSent: number;
}

interface FakeBedrock {
  /** Give it to the SDK client as `endpoint`. */
  endpoint: string;
  /** Every request so far, oldest first. */
  requests: readonly FakeBedrockRequest[];
  /**
   * For tests of concurrency: answers accepted from now on wait before their first event until the
   * returned function is called (so every reply is in progress at once).
   */
  holdAnswers(): () => void;
  /** Closes open streams (a stalled one included) and the server. */
  stop(): Promise<void>;
}

const ROUTE = /^\/model\/([^/]+)\/converse-stream$/;

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const headerValue = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/** The first attempts of an invocation that a `times`-limited fault refuses; counted per invocation id. */
const faultApplies = (fault: Fault | undefined, attempt: number): Fault | undefined => {
  if (fault?.kind === 'http-error' && fault.times !== undefined && attempt > fault.times) return undefined;
  return fault;
};

interface FakeState {
  requests: FakeBedrockRequest[];
  /** Attempts seen per SDK invocation id. */
  attempts: Map<string, number>;
  defaultFault: Fault | undefined;
  retryAfterMs: number | undefined;
  wordDelayMs: number;
  /** Set while answers are held: they wait for it before streaming. */
  held: Promise<void> | undefined;
}

const recordRequest = (state: FakeState, request: IncomingMessage, modelId: string): FakeBedrockRequest => {
  const invocationId = headerValue(request.headers['amz-sdk-invocation-id']);
  const attempt = (invocationId === undefined ? 0 : (state.attempts.get(invocationId) ?? 0)) + 1;
  if (invocationId !== undefined) state.attempts.set(invocationId, attempt);
  const record: FakeBedrockRequest = { modelId, invocationId, attempt, conversation: undefined, fault: undefined, status: 200, end: undefined, eventsSent: 0 };
  state.requests.push(record);
  return record;
};

const refuse = (record: FakeBedrockRequest, response: ServerResponse, error: HttpErrorName, options: { message?: string; retryAfterMs?: number } = {}): void => {
  record.end = 'refused';
  writeHttpError(response, error, options);
  record.status = response.statusCode;
};

const handle = async (state: FakeState, request: IncomingMessage, response: ServerResponse): Promise<void> => {
  const route = request.method === 'POST' ? ROUTE.exec(new URL(request.url ?? '/', 'http://fake').pathname) : null;
  const body = await readBody(request);
  if (!route?.[1]) {
    writeHttpError(response, 'ResourceNotFoundException', { message: `No such operation: ${request.method} ${request.url}` });
    return;
  }
  const record = recordRequest(state, request, decodeURIComponent(route[1]));
  let conversation: ConverseRequest;
  try {
    conversation = readConverseRequest(record.modelId, body);
    record.conversation = conversation;
    record.fault = faultApplies(parseFaultMarker(lastQuestion(conversation)) ?? state.defaultFault, record.attempt);
  } catch (error) {
    refuse(record, response, 'ValidationException', { message: error instanceof Error ? error.message : String(error) });
    return;
  }
  if (record.fault?.kind === 'http-error') {
    const hint = record.fault.error === 'ThrottlingException' && state.retryAfterMs !== undefined ? { retryAfterMs: state.retryAfterMs } : {};
    refuse(record, response, record.fault.error, hint);
    return;
  }
  await state.held;
  record.end = await streamAnswer(response, conversation, {
    fault: record.fault,
    wordDelayMs: state.wordDelayMs,
    onEvent: () => {
      record.eventsSent += 1;
    },
  });
};

/**
 * A Bedrock runtime on loopback that the real `BedrockRuntimeClient` talks to (endpoint override,
 * any credentials): `POST /model/{modelId}/converse-stream` answers in the event-stream encoding,
 * word by word at `tokensPerSecond`, deterministically from the conversation it received, with the
 * faults of `faults.ts` on request.
 * @example
 * const fake = await startFakeBedrock({ tokensPerSecond: 0 });
 * const client = createBedrockClient({ endpoint: fake.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
 */
const startFakeBedrock = async (options: FakeBedrockOptions = {}): Promise<FakeBedrock> => {
  const { port = 0, host = '127.0.0.1', tokensPerSecond = 40, fault, retryAfterMs } = options;
  if (!Number.isFinite(tokensPerSecond) || tokensPerSecond < 0) throw new RangeError(`tokensPerSecond must be 0 or more, got ${tokensPerSecond}`);
  const state: FakeState = {
    requests: [],
    attempts: new Map(),
    defaultFault: fault,
    retryAfterMs,
    wordDelayMs: tokensPerSecond === 0 ? 0 : 1000 / tokensPerSecond,
    held: undefined,
  };
  const server: Server = createServer((request, response) => {
    handle(state, request, response).catch((error: unknown) => {
      // A bug in the fake, not a Bedrock behaviour: say so loudly to whoever is reading the test output.
      console.error('fake Bedrock failed', error);
      if (!response.headersSent) writeHttpError(response, 'InternalServerException', { message: 'The fake Bedrock failed' });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    endpoint: `http://${host}:${address.port}`,
    requests: state.requests,
    holdAnswers: () => {
      let release = (): void => undefined;
      state.held = new Promise<void>((resolve) => {
        release = resolve;
      });
      return () => {
        state.held = undefined;
        release();
      };
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

export type { FakeBedrock, FakeBedrockOptions, FakeBedrockRequest };
export { startFakeBedrock };
