import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface RecordedCall {
  method: string;
  connectionId: string;
  body: string;
  /** The SDK's `amz-sdk-invocation-id`: the same for every attempt of one `send()`. */
  invocationId?: string;
}

interface ScriptedFailure {
  status: number;
  errorType: string;
  times: number;
}

/** API Gateway's limit on one posted message; a larger POST answers 413 PayloadTooLargeException. */
const MESSAGE_LIMIT_BYTES = 128 * 1024;

/**
 * A loopback stand-in for API Gateway's @connections API (until the local gateway runs), precise
 * enough for the real SDK client: unknown ids answer 410 with `x-amzn-ErrorType: GoneException`, so
 * the SDK raises a real GoneException; scripted failures exercise the SDK's own retries.
 */
class FakeManagementApi {
  public readonly calls: RecordedCall[] = [];
  private readonly live = new Set<string>();
  private readonly failures = new Map<string, ScriptedFailure>();
  private readonly hanging = new Set<string>();
  private server: Server | undefined;
  private baseUrl = '';

  public get endpoint(): string {
    return `${this.baseUrl}/test`;
  }

  public async start(): Promise<void> {
    this.server = createServer((request, response) => this.handle(request, response));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
  }

  public async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  public connect(...connectionIds: string[]): void {
    for (const id of connectionIds) this.live.add(id);
  }

  public disconnect(connectionId: string): void {
    this.live.delete(connectionId);
  }

  /** Requests for this connection never get an answer (a hung endpoint). */
  public hang(connectionId: string): void {
    this.hanging.add(connectionId);
  }

  public failNext(connectionId: string, failure: ScriptedFailure): void {
    this.failures.set(connectionId, { ...failure });
  }

  /** Frames successfully posted to a connection, parsed. */
  public framesTo(connectionId: string): Array<Record<string, any>> {
    return this.calls
      .filter((call) => call.method === 'POST' && call.connectionId === connectionId && this.wasDelivered(call))
      .map((call) => JSON.parse(call.body) as Record<string, any>);
  }

  /**
   * Frames delivered to a connection, one per send of the server: a post the SDK retried after its
   * request timeout (the first attempt was delivered, its answer late on a stalled machine) counts once.
   */
  public sentFramesTo(connectionId: string): Array<Record<string, any>> {
    const sends = new Set<string>();
    return this.calls
      .filter((call) => call.method === 'POST' && call.connectionId === connectionId && this.wasDelivered(call))
      .filter((call) => {
        if (call.invocationId === undefined) return true;
        if (sends.has(call.invocationId)) return false;
        sends.add(call.invocationId);
        return true;
      })
      .map((call) => JSON.parse(call.body) as Record<string, any>);
  }

  public deletes(): string[] {
    return this.calls.filter((call) => call.method === 'DELETE').map((call) => call.connectionId);
  }

  public reset(): void {
    this.calls.length = 0;
    this.live.clear();
    this.failures.clear();
    this.hanging.clear();
  }

  private readonly delivered = new WeakSet<RecordedCall>();

  private wasDelivered(call: RecordedCall): boolean {
    return this.delivered.has(call);
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const match = /^\/test\/@connections\/([^/?]+)/.exec(request.url ?? '');
      const connectionId = decodeURIComponent(match?.[1] ?? '');
      const raw = Buffer.concat(chunks);
      const invocationId = request.headers['amz-sdk-invocation-id'];
      const call = { method: request.method ?? '', connectionId, body: raw.toString('utf8'), ...(typeof invocationId === 'string' ? { invocationId } : {}) };
      this.calls.push(call);
      if (this.hanging.has(connectionId)) return;
      const failure = this.failures.get(connectionId);
      if (failure && failure.times > 0) {
        failure.times -= 1;
        return this.reply(response, failure.status, failure.errorType);
      }
      if (!match || !this.live.has(connectionId)) return this.reply(response, 410, 'GoneException');
      if (request.method === 'POST' && raw.length > MESSAGE_LIMIT_BYTES) {
        return this.reply(response, 413, 'PayloadTooLargeException');
      }
      if (request.method === 'DELETE') this.live.delete(connectionId);
      this.delivered.add(call);
      response.writeHead(200, { 'content-type': 'application/json' }).end();
    });
  }

  private reply(response: ServerResponse, status: number, errorType: string): void {
    response.writeHead(status, { 'content-type': 'application/json', 'x-amzn-ErrorType': errorType }).end(JSON.stringify({ message: errorType }));
  }
}

export { FakeManagementApi };
