/**
 * The budget's day arithmetic and its estimate of a reply's cost (src/domain/token-budget.ts): the
 * day is the UTC day, the reset its end, the estimate about four characters a token.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { budgetDay, budgetResetMs, estimateOutputTokens } from '../../src/domain/token-budget.ts';

const DAY_MS = 86_400_000;
/** Instants from 1970 to 2200, where Date prints a four-digit year. */
const anyInstant = fc.integer({ min: 0, max: Date.UTC(2200, 0, 1) });

describe('budgetDay', () => {
  it('names the UTC day, whatever the time in it', () => {
    expect(budgetDay(Date.UTC(2031, 1, 28))).toBe('2031-02-28');
    expect(budgetDay(Date.UTC(2031, 1, 28, 23, 59, 59, 999))).toBe('2031-02-28');
    expect(budgetDay(Date.UTC(2031, 2, 1))).toBe('2031-03-01');
    expect(budgetDay(Date.UTC(2032, 1, 29, 12))).toBe('2032-02-29');
  });
});

describe('budgetResetMs', () => {
  it('is the next 00:00 UTC, also at the first and last millisecond of a day', () => {
    expect(budgetResetMs(Date.UTC(2031, 11, 31, 15, 30))).toBe(Date.UTC(2032, 0, 1));
    expect(budgetResetMs(Date.UTC(2031, 11, 31))).toBe(Date.UTC(2032, 0, 1));
    expect(budgetResetMs(Date.UTC(2031, 11, 31, 23, 59, 59, 999))).toBe(Date.UTC(2032, 0, 1));
  });

  it('for any instant: a midnight, within a day ahead, ending the day budgetDay names', () => {
    fc.assert(
      fc.property(anyInstant, (nowMs) => {
        const reset = budgetResetMs(nowMs);
        expect(new Date(reset).toISOString().slice(11)).toBe('00:00:00.000Z');
        expect(reset).toBeGreaterThan(nowMs);
        expect(reset - nowMs).toBeLessThanOrEqual(DAY_MS);
        expect(budgetDay(reset - 1)).toBe(budgetDay(nowMs));
        expect(budgetDay(reset)).not.toBe(budgetDay(nowMs));
      }),
    );
  });
});

describe('estimateOutputTokens', () => {
  it('counts a token for every four characters begun', () => {
    expect([estimateOutputTokens('', 100), estimateOutputTokens('abcd', 100), estimateOutputTokens('abcde', 100), estimateOutputTokens('x'.repeat(400), 1000)]).toEqual([
      0, 1, 2, 100,
    ]);
  });

  it('never charges more than was reserved', () => {
    expect(estimateOutputTokens('x'.repeat(4000), 64)).toBe(64);
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), fc.integer({ min: 1, max: 1000 }), (text, reserved) => {
        const estimate = estimateOutputTokens(text, reserved);
        expect(Number.isInteger(estimate)).toBe(true);
        expect(estimate).toBeLessThanOrEqual(reserved);
        // Below the cap, the estimate is the fewest whole tokens of four characters that hold the text.
        if (text.length <= reserved * 4) expect([4 * estimate >= text.length, 4 * (estimate - 1) < text.length]).toEqual([true, true]);
        else expect(estimate).toBe(reserved);
      }),
    );
  });
});
