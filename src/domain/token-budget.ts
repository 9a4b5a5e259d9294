/**
 * Each user's output tokens per day (UTC), bounded. A question reserves the most its reply can cost
 * (the model's maximum output tokens) before the model is called, with one conditional write, so
 * concurrent questions can never spend more than the limit together; when the reply is done the
 * reservation is settled to what it actually cost and the rest is given back.
 */
interface BudgetReservation {
  userId: string;
  /** The UTC day charged, `YYYY-MM-DD`: a reply that ends after midnight is settled on the day it was reserved. */
  day: string;
  reservedTokens: number;
}

type BudgetDecision = { admitted: true; reservation: BudgetReservation } | { admitted: false; resetsAtMs: number };

interface TokenBudget {
  /** Admits a question when the day's settled and reserved tokens plus this reservation stay within the limit. */
  reserve(userId: string, nowMs: number): Promise<BudgetDecision>;
  /** Charges what the reply cost instead of the reservation (0 gives all of it back). */
  settle(reservation: BudgetReservation, usedTokens: number): Promise<void>;
}

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of the UTC day holding `nowMs`. */
const budgetDay = (nowMs: number): string => new Date(nowMs).toISOString().slice(0, 10);

/** When the UTC day holding `nowMs` ends: the budget's reset. */
const budgetResetMs = (nowMs: number): number => (Math.floor(nowMs / DAY_MS) + 1) * DAY_MS;

/**
 * What a reply cost when the model did not say (a stream that broke before its usage event): about
 * four characters a token, never more than was reserved.
 */
const estimateOutputTokens = (text: string, reservedTokens: number): number => Math.min(reservedTokens, Math.ceil(text.length / 4));

export type { BudgetDecision, BudgetReservation, TokenBudget };
export { budgetDay, budgetResetMs, estimateOutputTokens };
