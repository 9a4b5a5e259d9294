import type { ChatMessageChunkFrame } from '../protocol/frames.ts';
import type { Clock } from './clock.ts';

/** Runs `callback` after `ms`; returns a function that cancels it. Injectable so tests drive time. */
type Scheduler = (callback: () => void, ms: number) => () => void;

const systemScheduler: Scheduler = (callback, ms) => {
  const timer = setTimeout(callback, ms);
  return () => clearTimeout(timer);
};

interface ChunkBatchingOptions {
  /** At most one chunk post per this many milliseconds (for one reply, so for each connection). @default 50 */
  intervalMs: number;
  /** Pending text of at least this many characters (code points) is posted at once. @default 1000 */
  maxChars: number;
}

const DEFAULT_CHUNK_BATCHING: Readonly<ChunkBatchingOptions> = { intervalMs: 50, maxChars: 1000 };

interface ChunkBatcherInit {
  messageId: string;
  sessionId: string;
  /** Sends one chunk frame to the reply's audience. */
  post: (frame: ChatMessageChunkFrame) => Promise<unknown>;
  clock: Clock;
  scheduler?: Scheduler;
  options?: ChunkBatchingOptions;
}

/** Characters as the protocol counts them (JSON Schema's maxLength, Python's len): code points. */
const codePoints = (text: string): number => {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
};

/**
 * Coalesces a streaming reply's pieces into chunk frames: at most one post per `intervalMs`, or at
 * once when the pending text reaches `maxChars`, posts one at a time in order. Each frame carries a
 * `seq` (0, 1, 2... one per post) and the `offset` of its text in the reply (in code points), so a
 * client appends without gaps or doubles. A model's 150 tokens a second cost about 20 posts a second
 * per connection instead of 150.
 * @example
 * const batcher = new ChunkBatcher({ messageId, sessionId, clock, post: (frame) => delivery.postToAll(audience, frame) });
 * for await (const delta of responder.respond(question)) await batcher.push(delta);
 * await batcher.finish(); // before the final chat_message
 */
class ChunkBatcher {
  readonly #messageId: string;
  readonly #sessionId: string;
  readonly #post: ChunkBatcherInit['post'];
  readonly #clock: Clock;
  readonly #scheduler: Scheduler;
  readonly #options: ChunkBatchingOptions;
  #pending = '';
  #pendingChars = 0;
  /** Code points of the reply already handed to a post: the next chunk's offset. */
  #offset = 0;
  #seq = 0;
  #lastPostMs = Number.NEGATIVE_INFINITY;
  #cancelTimer: (() => void) | undefined;
  /** The posts, chained so they go out one at a time in seq order; a failure stays here until finish(). */
  #tail: Promise<void> = Promise.resolve();
  #stopped = false;

  public constructor({ messageId, sessionId, post, clock, scheduler = systemScheduler, options = DEFAULT_CHUNK_BATCHING }: ChunkBatcherInit) {
    this.#messageId = messageId;
    this.#sessionId = sessionId;
    this.#post = post;
    this.#clock = clock;
    this.#scheduler = scheduler;
    this.#options = options;
  }

  /** Chunk frames posted (or being posted) so far. */
  public get posts(): number {
    return this.#seq;
  }

  /**
   * Adds a piece of the reply. Resolves at once, unless the pending text reached `maxChars`: then
   * once it is posted, so a fast producer waits for the network instead of piling text up.
   */
  public push(delta: string): Promise<void> {
    if (this.#stopped) throw new Error('ChunkBatcher: push after finish or cancel');
    if (delta.length === 0) return Promise.resolve();
    this.#pending += delta;
    this.#pendingChars += codePoints(delta);
    if (this.#pendingChars >= this.#options.maxChars) return this.#postNow({ paced: false });
    this.#schedule();
    return Promise.resolve();
  }

  /** Posts what is pending and waits for every post; call it before the final `chat_message` frame. */
  public async finish(): Promise<void> {
    const last = this.#postNow({ paced: false });
    this.#stopped = true;
    await last;
  }

  /** Drops what is pending and any post still scheduled (the reply failed). */
  public cancel(): void {
    this.#stopped = true;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
  }

  /**
   * Queues a flush behind the post in flight. A paced flush (the timer's) that comes out of the queue
   * before its slot (the post ahead of it outlasted the interval, and this one would follow it at once)
   * waits for the slot instead; the size threshold and finish() post at once.
   */
  #postNow({ paced }: { paced: boolean }): Promise<void> {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#tail = this.#tail.then(() => (paced && this.#slotWaitMs() > 0 ? this.#schedule() : this.#postPending()));
    return this.#tail;
  }

  /** How long until the next paced post may go out. */
  #slotWaitMs(): number {
    return Math.max(0, this.#lastPostMs + this.#options.intervalMs - this.#clock.nowMs());
  }

  #schedule(): void {
    if (this.#cancelTimer || this.#stopped) return;
    this.#cancelTimer = this.#scheduler(() => {
      this.#cancelTimer = undefined;
      // A failed post is reported by finish(); here it must not become an unhandled rejection.
      this.#postNow({ paced: true }).catch(() => undefined);
    }, this.#slotWaitMs());
  }

  async #postPending(): Promise<void> {
    if (this.#pending.length === 0) return;
    const data = { messageId: this.#messageId, sessionId: this.#sessionId, seq: this.#seq, offset: this.#offset, delta: this.#pending };
    this.#seq += 1;
    this.#offset += this.#pendingChars;
    this.#pending = '';
    this.#pendingChars = 0;
    this.#lastPostMs = this.#clock.nowMs();
    await this.#post({ type: 'chat_message_chunk', data });
    // Text that arrived while this post was out waits for the next slot.
    if (this.#pending.length > 0) this.#schedule();
  }
}

export type { ChunkBatchingOptions, Scheduler };
export { ChunkBatcher, codePoints, DEFAULT_CHUNK_BATCHING, systemScheduler };
