import { performance } from 'node:perf_hooks';
import type { InstrumentableClient } from '../../src/observability/sdk-call-observer.ts';

/** One @connections post as the API answered it. */
interface TimedPost {
  connectionId: string;
  type: string;
  /** The frame's `data.messageId` (a chunk's or a chat_message's), when it has one. */
  messageId: string | undefined;
  /** A chunk's `data.seq`: one per flush of the chunk batcher, the same on every connection. */
  seq: number | undefined;
  /** A chat_message's `data.status`. */
  status: string | undefined;
  /** performance.now() when the function sent the post (what the chunk batcher paces). */
  sentAt: number;
  /** performance.now() when the API answered the post (the frame is on its way to the socket). */
  at: number;
}

/** An SDK v3 client's middleware stack, as far as adding an initialize-step middleware goes. */
interface PostStack {
  add(
    middleware: (next: (args: { input?: unknown }) => Promise<unknown>, context: { commandName?: string }) => (args: { input?: unknown }) => Promise<unknown>,
    options: { step: 'initialize'; name: string },
  ): void;
}

const frameOf = (data: unknown): { type?: string; data?: { messageId?: string; status?: string; seq?: number } } => {
  const text = typeof data === 'string' ? data : data instanceof Uint8Array ? Buffer.from(data).toString('utf8') : '{}';
  return JSON.parse(text) as { type?: string; data?: { messageId?: string; status?: string; seq?: number } };
};

/** Records when each successful PostToConnection of a management client was sent and answered, and what it carried. */
class PostTimer {
  public readonly posts: TimedPost[] = [];

  public attach(client: InstrumentableClient): void {
    (client.middlewareStack as PostStack).add(
      (next, context) => async (args) => {
        const sentAt = performance.now();
        const result = await next(args);
        if (context.commandName === 'PostToConnectionCommand') {
          const input = args.input as { ConnectionId?: string; Data?: unknown };
          const frame = frameOf(input.Data);
          this.posts.push({
            connectionId: input.ConnectionId ?? '',
            type: frame.type ?? '',
            messageId: frame.data?.messageId,
            seq: frame.data?.seq,
            status: frame.data?.status,
            sentAt,
            at: performance.now(),
          });
        }
        return result;
      },
      { step: 'initialize', name: 'benchPostTimer' },
    );
  }

  public reset(): void {
    this.posts.length = 0;
  }
}

export type { TimedPost };
export { PostTimer };
