import type { WebSocketFactory, WebSocketLike } from '../../../src/client/options.ts';

/** A scriptable stand-in for the standard WebSocket: the test plays the server. */
class FakeSocket implements WebSocketLike {
  public readyState = 0;
  public readonly url: string;
  public readonly sent: string[] = [];
  public closedWith: { code?: number; reason?: string } | undefined;
  public onopen: ((event: unknown) => void) | null = null;
  public onmessage: ((event: { data: unknown }) => void) | null = null;
  public onclose: ((event: { code: number; reason: string }) => void) | null = null;
  public onerror: ((event: unknown) => void) | null = null;
  /** Plays a server that answers each frame as it is sent. */
  public autoAnswer: ((frame: { action: string; data?: Record<string, unknown> }) => unknown) | undefined;

  public constructor(url: string) {
    this.url = url;
  }

  public get token(): string | null {
    return new URL(this.url).searchParams.get('token');
  }

  /** Frames the client sent, parsed. */
  public get frames(): Array<{ action: string; data?: Record<string, unknown> }> {
    return this.sent.map((text) => JSON.parse(text));
  }

  public framesOf(action: string): Array<Record<string, unknown>> {
    return this.frames.filter((frame) => frame.action === action).map((frame) => frame.data ?? {});
  }

  public send(data: string): void {
    if (this.readyState !== 1) throw new Error('InvalidStateError: not open');
    this.sent.push(data);
    const answer = this.autoAnswer?.(JSON.parse(data));
    // A promise job, not queueMicrotask: jest fakes queueMicrotask along with the timers.
    if (answer !== undefined) void Promise.resolve().then(() => this.receive(answer));
  }

  public close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    if (this.readyState === 3) return;
    this.readyState = 3;
    void Promise.resolve().then(() => this.onclose?.({ code: code ?? 1005, reason: reason ?? '' }));
  }

  // The server's side.
  public accept(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  /** A handshake refused (401/403/429) as a browser sees it: error, then close 1006, never open. */
  public refuse(): void {
    this.readyState = 3;
    this.onerror?.({});
    this.onclose?.({ code: 1006, reason: '' });
  }

  public receive(frame: unknown): void {
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }

  /** The server (or the network) ends the connection. */
  public drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
  }
}

interface FakeSockets {
  WebSocket: WebSocketFactory;
  all: FakeSocket[];
  last(): FakeSocket;
}

const fakeSockets = (): FakeSockets => {
  const all: FakeSocket[] = [];
  class Recorded extends FakeSocket {
    public constructor(url: string) {
      super(url);
      all.push(this);
    }
  }
  return {
    WebSocket: Recorded,
    all,
    last: () => {
      const socket = all.at(-1);
      if (!socket) throw new Error('no socket was created');
      return socket;
    },
  };
};

export { FakeSocket, fakeSockets };
