import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ChunkBatcher, codePoints, type Scheduler } from '../../src/domain/chunk-batcher.ts';
import type { ChatMessageChunkFrame } from '../../src/protocol/frames.ts';

/** Lets promise chains settle (a real macrotask; no timers are faked here). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A clock and scheduler the test moves by hand. */
const manualTime = () => {
  let now = 0;
  const timers: Array<{ at: number; callback: () => void; cancelled: boolean }> = [];
  const scheduler: Scheduler = (callback, ms) => {
    const timer = { at: now + ms, callback, cancelled: false };
    timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  };
  const advance = async (ms: number) => {
    const target = now + ms;
    for (;;) {
      const due = timers.filter((timer) => !timer.cancelled && timer.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      due.cancelled = true;
      now = due.at;
      due.callback();
      await settle();
    }
    now = target;
    await settle();
  };
  const pending = () => timers.filter((timer) => !timer.cancelled).length;
  return { clock: { nowMs: () => now }, scheduler, advance, pending };
};

interface Recorded {
  at: number;
  data: ChatMessageChunkFrame['data'];
}

const setup = (options = { intervalMs: 50, maxChars: 1000 }) => {
  const time = manualTime();
  const posts: Recorded[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const release: Array<() => void> = [];
  let holdPosts = false;
  const batcher = new ChunkBatcher({
    messageId: 'm1',
    sessionId: 's1',
    clock: time.clock,
    scheduler: time.scheduler,
    options,
    post: async (frame) => {
      posts.push({ at: time.clock.nowMs(), data: frame.data });
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      if (holdPosts) await new Promise<void>((resolve) => release.push(resolve));
      inFlight -= 1;
    },
  });
  const hold = () => {
    holdPosts = true;
  };
  const releaseAll = async () => {
    holdPosts = false;
    for (const resolve of release.splice(0)) resolve();
    await settle();
  };
  return { batcher, posts, time, hold, releaseAll, maxInFlight: () => maxInFlight, releaseCount: () => release.length };
};

describe('ChunkBatcher', () => {
  it('keeps at most one post per interval when posts are slower than the interval (a large audience)', async () => {
    // Prepare: posts take 80 ms and 10 ms in turn (on the test's clock); a piece comes every 10 ms for a second.
    const time = manualTime();
    const starts: number[] = [];
    const batcher = new ChunkBatcher({
      messageId: 'm1',
      sessionId: 's1',
      clock: time.clock,
      scheduler: time.scheduler,
      options: { intervalMs: 50, maxChars: 1000 },
      post: async () => {
        starts.push(time.clock.nowMs());
        await new Promise<void>((resolve) => time.scheduler(resolve, starts.length % 2 === 1 ? 80 : 10));
      },
    });
    // Act
    for (let step = 0; step < 100; step += 1) {
      await batcher.push(`p${step} `);
      await time.advance(10);
    }
    await time.advance(200);
    // Assess: no two posts start closer than the interval
    const gaps = starts.slice(1).map((start, index) => start - (starts[index] ?? 0));
    expect(starts.length).toBeGreaterThan(5);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(50);
    const finishing = batcher.finish();
    await time.advance(100);
    await finishing;
  });

  it('coalesces pieces into at most one post per interval, each with its seq and character offset', async () => {
    const { batcher, posts, time } = setup();

    await batcher.push('You ');
    await time.advance(0);
    await time.advance(10);
    await batcher.push('said');
    await time.advance(10);
    await batcher.push(': ');
    await time.advance(29);
    const beforeInterval = posts.length;
    await time.advance(1);

    expect(beforeInterval).toBe(1);
    expect(posts).toEqual([
      { at: 0, data: { messageId: 'm1', sessionId: 's1', seq: 0, offset: 0, delta: 'You ' } },
      { at: 50, data: { messageId: 'm1', sessionId: 's1', seq: 1, offset: 4, delta: 'said: ' } },
    ]);
  });

  it('posts at once when the pending text reaches maxChars, and push waits for that post', async () => {
    const { batcher, posts, time, hold, releaseAll } = setup({ intervalMs: 50, maxChars: 5 });
    hold();

    await batcher.push('abc');
    let pushed = false;
    const full = batcher.push('defg').then(() => {
      pushed = true;
    });
    await time.advance(0);
    const whileInFlight = pushed;
    await releaseAll();
    await full;

    expect(whileInFlight).toBe(false);
    expect(posts.map((post) => post.data.delta)).toEqual(['abcdefg']);
  });

  it('counts offsets in code points, as the protocol counts characters', async () => {
    const { batcher, posts, time } = setup();

    await batcher.push('😀é');
    await time.advance(50);
    await batcher.push('€a');
    await batcher.finish();

    expect(posts.map((post) => [post.data.offset, post.data.delta])).toEqual([
      [0, '😀é'],
      [2, '€a'],
    ]);
    expect(codePoints('😀é€a')).toBe(4);
  });

  it('posts one chunk at a time: text that comes during a slow post goes out after it, in order', async () => {
    const { batcher, posts, time, hold, releaseAll, maxInFlight, releaseCount } = setup();
    hold();

    await batcher.push('one ');
    await time.advance(0);
    await time.advance(60);
    await batcher.push('two ');
    await time.advance(0);
    const queuedBehind = posts.length;
    await releaseAll();
    await batcher.push('three');
    const finished = batcher.finish();
    await releaseAll();
    await finished;

    expect(queuedBehind).toBe(1);
    expect(releaseCount()).toBe(0);
    expect(maxInFlight()).toBe(1);
    expect(posts.map((post) => [post.data.seq, post.data.delta])).toEqual([
      [0, 'one '],
      [1, 'two '],
      [2, 'three'],
    ]);
  });

  it('finish posts what is pending, resolves after every post, and nothing is posted after it', async () => {
    const { batcher, posts, time } = setup();

    await batcher.push('almost ');
    await batcher.push('done');
    await batcher.finish();
    await time.advance(1000);

    expect(posts.map((post) => post.data.delta)).toEqual(['almost done']);
    expect(batcher.posts).toBe(1);
    expect(time.pending()).toBe(0);
    expect(() => batcher.push('late')).toThrow('push after finish or cancel');
  });

  it('cancel drops pending text and the scheduled post', async () => {
    const { batcher, posts, time } = setup();

    await batcher.push('never sent');
    batcher.cancel();
    await time.advance(1000);

    expect(posts).toEqual([]);
  });

  it('reports a failed post from finish, not as an unhandled rejection', async () => {
    const time = manualTime();
    const batcher = new ChunkBatcher({
      messageId: 'm1',
      sessionId: 's1',
      clock: time.clock,
      scheduler: time.scheduler,
      post: async () => {
        throw new Error('post exploded');
      },
    });

    await batcher.push('a');
    await time.advance(0);

    await expect(batcher.finish()).rejects.toThrow('post exploded');
  });

  it('for any pieces and pauses: the chunks rebuild the reply exactly, seq and offsets are consecutive, and posts closer than the interval are full ones', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.integer({ min: 0, max: 80 })), { maxLength: 60 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 30 }),
        async (pieces, intervalMs, maxChars) => {
          const { batcher, posts, time } = setup({ intervalMs, maxChars });
          for (const [piece, pauseMs] of pieces) {
            await batcher.push(piece);
            await time.advance(pauseMs);
          }
          await batcher.finish();

          expect(posts.map((post) => post.data.delta).join('')).toBe(pieces.map(([piece]) => piece).join(''));
          let offset = 0;
          posts.forEach((post, index) => {
            expect(post.data.seq).toBe(index);
            expect(post.data.offset).toBe(offset);
            offset += codePoints(post.data.delta);
            const previous = posts[index - 1];
            const last = index === posts.length - 1;
            if (previous && post.at - previous.at < intervalMs && !last) expect(codePoints(post.data.delta)).toBeGreaterThanOrEqual(maxChars);
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
