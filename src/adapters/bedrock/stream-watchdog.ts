import { type Scheduler, systemScheduler } from '../../domain/chunk-batcher.ts';
import type { EarlyEnd } from '../../domain/model-reply.ts';

interface WatchdogSettings {
  /** Longest wait for the next event (or for the response) before the stream counts as stalled. */
  gapMs: number;
  /** Time the whole call may take (the invocation's remaining time less a margin); Infinity for none. */
  budgetMs: number;
  /** The caller's cancel. */
  signal?: AbortSignal;
  scheduler?: Scheduler;
}

/** setTimeout fires at once for delays over 2^31-1 ms: a longer budget is as good as none. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/** Rejects the wait in progress when the watchdog stops the stream. */
class StreamStoppedError extends Error {
  public readonly reason: EarlyEnd;

  public constructor(reason: EarlyEnd) {
    super(`Model stream stopped: ${reason}`);
    this.name = 'StreamStoppedError';
    this.reason = reason;
  }
}

const ignore = (): void => undefined;

/**
 * Owns the AbortController passed to the SDK, and aborts it when a wait for the model outlasts the
 * gap, when the budget runs out, or when the caller cancels. The gap is timed only while the model
 * is awaited (`guard`), not while the caller is busy with a delta it was given.
 */
class StreamWatchdog {
  readonly #controller = new AbortController();
  readonly #gapMs: number;
  readonly #scheduler: Scheduler;
  readonly #stopped: Promise<never>;
  readonly #cleanups: Array<() => void> = [];
  #reject: (error: StreamStoppedError) => void = ignore;
  #reason: EarlyEnd | undefined;

  public constructor({ gapMs, budgetMs, signal, scheduler = systemScheduler }: WatchdogSettings) {
    this.#gapMs = gapMs;
    this.#scheduler = scheduler;
    this.#stopped = new Promise<never>((_, reject) => {
      this.#reject = reject;
    });
    this.#stopped.catch(ignore);
    if (budgetMs <= 0) this.stop('deadline');
    else if (budgetMs <= LONGEST_TIMER_MS) this.#cleanups.push(scheduler(() => this.stop('deadline'), budgetMs));
    if (signal?.aborted) this.stop('cancelled');
    else if (signal) {
      const onAbort = () => this.stop('cancelled');
      signal.addEventListener('abort', onAbort, { once: true });
      this.#cleanups.push(() => signal.removeEventListener('abort', onAbort));
    }
  }

  /** For the SDK's `send(command, { abortSignal })`. */
  public get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Why the stream was stopped; undefined while it runs. */
  public get reason(): EarlyEnd | undefined {
    return this.#reason;
  }

  public stop(reason: EarlyEnd): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    this.#controller.abort(new StreamStoppedError(reason));
    this.#reject(new StreamStoppedError(reason));
  }

  /** Waits for `work` from the model, at most the gap; rejects with StreamStoppedError once stopped. */
  public guard<T>(work: Promise<T>): Promise<T> {
    // The SDK's own rejection after an abort arrives when nobody waits for it any more.
    work.catch(ignore);
    if (this.#reason !== undefined) return Promise.reject(new StreamStoppedError(this.#reason));
    const cancelGap = this.#scheduler(() => this.stop('stalled'), this.#gapMs);
    return Promise.race([work, this.#stopped]).finally(cancelGap);
  }

  /** Clears the timers and releases the HTTP request if the stream is still open. */
  public dispose(): void {
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    this.#controller.abort();
  }
}

export { StreamStoppedError, StreamWatchdog };
