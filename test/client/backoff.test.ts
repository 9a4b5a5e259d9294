import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { backoffCeiling, fullJitterDelay } from '../../src/client/backoff.ts';

const options = { baseDelayMs: 1000, maxDelayMs: 30_000 };

describe('reconnect backoff', () => {
  it('doubles the ceiling from the base on each attempt and stops at the cap', () => {
    const ceilings = [0, 1, 2, 3, 4, 5, 6, 10].map((attempt) => backoffCeiling(attempt, options));

    expect(ceilings).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('spreads delays over the whole range below the ceiling (full jitter)', () => {
    expect(fullJitterDelay(3, options, () => 0)).toBe(0);
    expect(fullJitterDelay(3, options, () => 0.5)).toBe(4000);
    expect(fullJitterDelay(3, options, () => 0.999_999)).toBe(7999);
    expect(fullJitterDelay(40, options, () => 0.999_999)).toBe(29_999);
  });

  it('never returns a delay below 0 or at or above the ceiling, whatever the attempt, base, cap and random value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.integer({ min: 1, max: 600_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, baseDelayMs, maxDelayMs, random) => {
          const bounds = { baseDelayMs, maxDelayMs };
          const delay = fullJitterDelay(attempt, bounds, () => random);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThan(backoffCeiling(attempt, bounds));
          expect(delay).toBeLessThanOrEqual(maxDelayMs);
          expect(Number.isInteger(delay)).toBe(true);
        },
      ),
    );
  });
});
