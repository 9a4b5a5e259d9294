import WebSocket from 'ws';

/** Long enough for a cold start on a slow CI machine; a guard against hanging, not a speed check. */
const WAIT_MS = 20_000;

type Frame = Record<string, any>;

interface CloseEvent {
  code: number;
  reason: string;
}

interface ConnectOptions {
  token?: string;
  protocols?: string[];
  headers?: Record<string, string>;
}

const withToken = (url: string, token: string | undefined): string => (token === undefined ? url : `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`);

/**
 * A real WebSocket client over loopback that buffers every text frame, so a test can wait for the
 * frame it expects whatever arrives around it.
 */
class TestClient {
  public readonly socket: WebSocket;
  /** Every text frame received, parsed when it is JSON. */
  public readonly received: Array<Frame | string> = [];
  public readonly closed: Promise<CloseEvent>;
  private readonly waiters = new Set<() => void>();
  private readonly consumed = new Set<number>();

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      const text = data.toString('utf8');
      let frame: Frame | string = text;
      if (!isBinary) {
        try {
          frame = JSON.parse(text) as Frame;
        } catch {
          frame = text;
        }
      }
      this.received.push(frame);
      for (const wake of this.waiters) wake();
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', (code: number, reason: Buffer) => {
        resolve({ code, reason: reason.toString('utf8') });
        for (const wake of this.waiters) wake();
      });
    });
    socket.on('error', () => undefined);
  }

  /** Opens a connection; rejects with the HTTP status when the handshake is refused. */
  public static connect(url: string, options: ConnectOptions = {}): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(withToken(url, options.token), options.protocols ?? [], {
        headers: { 'User-Agent': 'e2e-test-client', ...options.headers },
      });
      socket.once('unexpected-response', (_req, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          reject(
            Object.assign(new Error(`Handshake refused with ${res.statusCode}`), {
              status: res.statusCode,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          ),
        );
      });
      socket.once('error', reject);
      socket.once('open', () => resolve(new TestClient(socket)));
    });
  }

  public send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Waits for the next not-yet-consumed frame matching `predicate`, and consumes it. */
  public next(predicate: (frame: Frame) => boolean = () => true, label = 'a frame'): Promise<Frame> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const check = () => {
        const index = this.received.findIndex((frame, position) => !this.consumed.has(position) && typeof frame === 'object' && predicate(frame));
        if (index >= 0) {
          this.consumed.add(index);
          this.waiters.delete(check);
          clearTimeout(timer);
          resolve(this.received[index] as Frame);
          return true;
        }
        if (this.socket.readyState === WebSocket.CLOSED) {
          this.waiters.delete(check);
          clearTimeout(timer);
          reject(new Error(`Connection closed while waiting for ${label}; received ${JSON.stringify(this.received)}`));
          return true;
        }
        return false;
      };
      if (check()) return;
      this.waiters.add(check);
      timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`Timed out waiting for ${label}; received ${JSON.stringify(this.received)}`));
      }, WAIT_MS);
    });
  }

  /** Waits for `count` frames matching `predicate`. */
  public async collect(count: number, predicate: (frame: Frame) => boolean, label = 'frames'): Promise<Frame[]> {
    const frames: Frame[] = [];
    for (let index = 0; index < count; index += 1) frames.push(await this.next(predicate, `${label} #${index + 1}`));
    return frames;
  }

  /** Closes (code 1000 by default) and waits for the close handshake. */
  public async close(code = 1000, reason = ''): Promise<CloseEvent> {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(code, reason);
    return this.closed;
  }
}

/** The HTTP status a refused handshake answered with. */
const refusalStatus = async (url: string, options: ConnectOptions = {}): Promise<{ status: number; body: string }> => {
  try {
    const client = await TestClient.connect(url, options);
    await client.close();
  } catch (error) {
    const { status, body } = error as { status?: number; body?: string };
    if (status !== undefined) return { status, body: body ?? '' };
    throw error;
  }
  throw new Error('The handshake was accepted');
};

const isChat = (role: 'user' | 'assistant', message?: string) => (frame: Frame) =>
  frame.type === 'chat_message' && frame.data?.role === role && (message === undefined || frame.data?.message === message);
const isError = (code: string) => (frame: Frame) => frame.type === 'error' && frame.error?.code === code;
const isPong = (frame: Frame) => frame.type === 'pong';

export type { CloseEvent, Frame };
export { isChat, isError, isPong, refusalStatus, TestClient, WAIT_MS, withToken };
