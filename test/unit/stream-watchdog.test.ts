import { describe, expect, it } from '@jest/globals';
import { StreamStoppedError, StreamWatchdog } from '../../src/adapters/bedrock/stream-watchdog.ts';
import type { Scheduler } from '../../src/domain/chunk-batcher.ts';

/** Timers the test fires by hand: `advance(ms)` runs what falls due. */
const manualScheduler = () => {
  let now = 0;
  const timers: Array<{ at: number; callback: () => void; live: boolean }> = [];
  const scheduler: Scheduler = (callback, ms) => {
    const timer = { at: now + ms, callback, live: true };
    timers.push(timer);
    return () => {
      timer.live = false;
    };
  };
  const advance = (ms: number) => {
    now += ms;
    for (const timer of timers.filter((candidate) => candidate.live && candidate.at <= now)) {
      timer.live = false;
      timer.callback();
    }
  };
  return { scheduler, advance };
};

const never = () => new Promise<never>(() => undefined);
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('StreamWatchdog', () => {
  it('stops a wait for the model that outlasts the gap, and aborts the signal given to the SDK', async () => {
    const time = manualScheduler();
    const watchdog = new StreamWatchdog({ gapMs: 100, budgetMs: Number.POSITIVE_INFINITY, scheduler: time.scheduler });
    const waiting = watchdog.guard(never());
    time.advance(99);
    expect(watchdog.signal.aborted).toBe(false);
    time.advance(1);
    await expect(waiting).rejects.toEqual(new StreamStoppedError('stalled'));
    expect(watchdog.signal.aborted).toBe(true);
    expect(watchdog.reason).toBe('stalled');
  });

  it('times the gap only while the model is awaited, not while the caller handles a delta', async () => {
    const time = manualScheduler();
    const watchdog = new StreamWatchdog({ gapMs: 100, budgetMs: Number.POSITIVE_INFINITY, scheduler: time.scheduler });
    await expect(watchdog.guard(Promise.resolve('delta'))).resolves.toBe('delta');
    time.advance(10_000);
    expect(watchdog.reason).toBeUndefined();
    const next = watchdog.guard(Promise.resolve('next'));
    await expect(next).resolves.toBe('next');
  });

  it('stops at the budget even while the caller is busy, and refuses further waits', async () => {
    const time = manualScheduler();
    const watchdog = new StreamWatchdog({ gapMs: 100, budgetMs: 500, scheduler: time.scheduler });
    time.advance(500);
    expect(watchdog.reason).toBe('deadline');
    await expect(watchdog.guard(Promise.resolve('late'))).rejects.toEqual(new StreamStoppedError('deadline'));
  });

  it('starts stopped when there is no budget left', () => {
    const watchdog = new StreamWatchdog({ gapMs: 100, budgetMs: 0, scheduler: manualScheduler().scheduler });
    expect(watchdog.reason).toBe('deadline');
    expect(watchdog.signal.aborted).toBe(true);
  });

  it("stops on the caller's cancel, already aborted or aborted later", async () => {
    const cancelled = new AbortController();
    cancelled.abort();
    expect(new StreamWatchdog({ gapMs: 100, budgetMs: 1000, signal: cancelled.signal, scheduler: manualScheduler().scheduler }).reason).toBe('cancelled');
    const later = new AbortController();
    const watchdog = new StreamWatchdog({ gapMs: 100, budgetMs: 1000, signal: later.signal, scheduler: manualScheduler().scheduler });
    const waiting = watchdog.guard(never());
    later.abort();
    await expect(waiting).rejects.toEqual(new StreamStoppedError('cancelled'));
  });

  it('keeps the first reason, and dispose clears its timers and listeners', async () => {
    const time = manualScheduler();
    const cancel = new AbortController();
    const watchdog = new StreamWatchdog({ gapMs: 100, budgetMs: 50, signal: cancel.signal, scheduler: time.scheduler });
    time.advance(50);
    cancel.abort();
    expect(watchdog.reason).toBe('deadline');
    const untouched = new AbortController();
    const disposed = new StreamWatchdog({ gapMs: 100, budgetMs: 50, signal: untouched.signal, scheduler: time.scheduler });
    disposed.dispose();
    time.advance(1000);
    untouched.abort();
    await settle();
    expect(disposed.reason).toBeUndefined();
    expect(disposed.signal.aborted).toBe(true);
  });
});
