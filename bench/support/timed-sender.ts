import { performance } from 'node:perf_hooks';
import type { DeliveryOutcome, Sender } from '../../src/domain/sender.ts';
import type { ServerFrame } from '../../src/protocol/frames.ts';

interface TimedPost {
  connectionId: string;
  type: ServerFrame['type'];
  /** performance.now() when the chain handed the frame to the sender. */
  at: number;
}

/** An in-memory Sender that records when each frame was posted, and delivers everything at once. */
class TimedSender implements Sender {
  public readonly posts: TimedPost[] = [];

  public async post(connectionId: string, frame: ServerFrame): Promise<DeliveryOutcome> {
    this.posts.push({ connectionId, type: frame.type, at: performance.now() });
    return 'delivered';
  }

  public async close(): Promise<DeliveryOutcome> {
    return 'delivered';
  }

  /** Milliseconds from `start` to the first post of `type`, or NaN when none came. */
  public firstPostAfter(start: number, type: ServerFrame['type']): number {
    const post = this.posts.find((candidate) => candidate.type === type && candidate.at >= start);
    return post ? post.at - start : Number.NaN;
  }

  public reset(): void {
    this.posts.length = 0;
  }
}

export type { TimedPost };
export { TimedSender };
