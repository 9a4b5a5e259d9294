import type { Scheduler } from './chunk-batcher.ts';
import type { Clock } from './clock.ts';
import type { ReplyKey, ReplyStore } from './reply-store.ts';

/** How a streaming reply is kept durable and stoppable (README, "How a reply is generated"). */
interface ReplyPacing {
  /** The text so far is persisted at least this often. @default 1000 */
  persistIntervalMs: number;
  /** ...or as soon as this many characters came since the last persist. @default 2000 */
  persistChars: number;
  /** How often a cancel is looked for between persists. @default 250 */
  cancelPollMs: number;
  /** An attempt that has not persisted (beaten) for this long is taken as crashed. @default 5000 */
  staleMs: number;
}

const DEFAULT_REPLY_PACING: Readonly<ReplyPacing> = { persistIntervalMs: 1_000, persistChars: 2_000, cancelPollMs: 250, staleMs: 5_000 };

interface ProgressDependencies {
  replies: ReplyStore;
  clock: Clock;
  scheduler: Scheduler;
  pacing: ReplyPacing;
  /** Called once when a cancel is seen: aborts the model stream. */
  onCancel: () => void;
  /** Called at every persist tick: the audience is read again, so a device that connected meanwhile gets the rest live. */
  onTick: () => Promise<void>;
}

/**
 * The durable side of a streaming reply: persists the text so far on a timer (and when enough text
 * piled up), and polls for a cancel in between, without ever holding up the stream. One write or read
 * is in flight at a time; a failed one is retried at the next tick (the SDK has retried it already).
 */
class ReplyProgress {
  readonly #deps: ProgressDependencies;
  readonly #key: ReplyKey;
  #text = '';
  #persistedLength = 0;
  #inFlight: Promise<void> = Promise.resolve();
  #busy = false;
  #stopped = false;
  #cancelled = false;
  readonly #timers: Array<() => void> = [];

  public constructor(deps: ProgressDependencies, key: ReplyKey) {
    this.#deps = deps;
    this.#key = key;
  }

  /** Whether a cancel was seen. */
  public get cancelled(): boolean {
    return this.#cancelled;
  }

  public start(): void {
    this.#every(this.#deps.pacing.persistIntervalMs, () => this.#run(() => this.#persist()));
    this.#every(this.#deps.pacing.cancelPollMs, () => this.#run(() => this.#poll()));
  }

  /** The reply's text so far; persisted at once when enough new text piled up. */
  public update(text: string): void {
    this.#text = text;
    if (text.length - this.#persistedLength >= this.#deps.pacing.persistChars) this.#run(() => this.#persist());
  }

  /** Stops the timers and waits for the write or read in flight, so the final write comes after it. */
  public async stop(): Promise<void> {
    this.#stopped = true;
    for (const cancel of this.#timers.splice(0)) cancel();
    await this.#inFlight;
  }

  #every(intervalMs: number, task: () => void): void {
    let cancelNext = (): void => undefined;
    const tick = () => {
      if (this.#stopped) return;
      task();
      cancelNext = this.#deps.scheduler(tick, intervalMs);
    };
    cancelNext = this.#deps.scheduler(tick, intervalMs);
    this.#timers.push(() => cancelNext());
  }

  #run(task: () => Promise<void>): void {
    if (this.#busy || this.#stopped) return;
    this.#busy = true;
    this.#inFlight = task()
      .catch(() => undefined)
      .finally(() => {
        this.#busy = false;
      });
  }

  async #persist(): Promise<void> {
    const text = this.#text;
    const { cancelRequested } = await this.#deps.replies.persistText(this.#key, text, this.#deps.clock.nowMs());
    this.#persistedLength = text.length;
    if (cancelRequested) this.#cancel();
    await this.#deps.onTick();
  }

  async #poll(): Promise<void> {
    if (await this.#deps.replies.isCancelRequested(this.#key)) this.#cancel();
  }

  #cancel(): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    this.#deps.onCancel();
  }
}

export type { ReplyPacing };
export { DEFAULT_REPLY_PACING, ReplyProgress };
