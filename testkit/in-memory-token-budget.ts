import { type BudgetDecision, type BudgetReservation, budgetDay, budgetResetMs, type TokenBudget } from '../src/domain/token-budget.ts';

/** The daily budget's rules in memory, for unit tests of the chat service: it records every settle. */
class InMemoryTokenBudget implements TokenBudget {
  public readonly settled: Array<{ reservation: BudgetReservation; usedTokens: number }> = [];
  readonly #committed = new Map<string, number>();
  readonly #limit: number;
  readonly #perReply: number;
  /** When set, settle fails with it (a DynamoDB outage after the reply). */
  public settleFailure: Error | undefined;

  public constructor(limit: number, perReply: number) {
    this.#limit = limit;
    this.#perReply = perReply;
  }

  public committed(userId: string, nowMs: number): number {
    return this.#committed.get(`${budgetDay(nowMs)}#${userId}`) ?? 0;
  }

  public async reserve(userId: string, nowMs: number): Promise<BudgetDecision> {
    const key = `${budgetDay(nowMs)}#${userId}`;
    const committed = this.#committed.get(key) ?? 0;
    if (committed + this.#perReply > this.#limit) return { admitted: false, resetsAtMs: budgetResetMs(nowMs) };
    this.#committed.set(key, committed + this.#perReply);
    return { admitted: true, reservation: { userId, day: budgetDay(nowMs), reservedTokens: this.#perReply } };
  }

  public async settle(reservation: BudgetReservation, usedTokens: number): Promise<void> {
    if (this.settleFailure) throw this.settleFailure;
    this.settled.push({ reservation, usedTokens });
    const key = `${reservation.day}#${reservation.userId}`;
    this.#committed.set(key, (this.#committed.get(key) ?? 0) + usedTokens - reservation.reservedTokens);
  }
}

export { InMemoryTokenBudget };
