/**
 * The daily output-token budget on DynamoDB Local: one conditional write per question, exact under
 * concurrency, settled to what the reply cost, reset at 00:00 UTC.
 */

import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { testDocumentClient, useTestTables } from '#testkit/tables.ts';
import { DynamoTokenBudget, type TokenBudgetLimits } from '../../src/data/dynamo-token-budget.ts';
import { TABLE_DEFINITIONS } from '../../src/data/table-definitions.ts';
import type { BudgetDecision, BudgetReservation } from '../../src/domain/token-budget.ts';

const DAY_MS = 86_400_000;
/** A day well ahead of the wall clock, so no counter's TTL has passed while the test reads it. */
const NOON = Date.UTC(2040, 6, 14, 12);
const NEXT_MIDNIGHT = Date.UTC(2040, 6, 15);

const db = testDocumentClient();
let connectionsTable: string;

beforeAll(async () => {
  connectionsTable = (await useTestTables('budget')).connections;
});
afterAll(() => {
  db.destroy();
});

const budgetOf = (limits: TokenBudgetLimits) => new DynamoTokenBudget(db, connectionsTable, limits);

const reservationOf = (decision: BudgetDecision): BudgetReservation => {
  if (!decision.admitted) throw new Error(`expected an admission, got a refusal until ${new Date(decision.resetsAtMs).toISOString()}`);
  return decision.reservation;
};

/** The counter item as the contract names it (connections table, `budget#output-tokens#<day>#<userId>`). */
const counterItem = async (userId: string, day: string) => {
  const { Item } = await db.send(new GetCommand({ TableName: connectionsTable, Key: { connectionId: `budget#output-tokens#${day}#${userId}` }, ConsistentRead: true }));
  return Item;
};

describe('DynamoTokenBudget', () => {
  it('admits questions while their reservations fit, then refuses until the next 00:00 UTC', async () => {
    // Prepare
    const budget = budgetOf({ dailyOutputTokens: 300, tokensPerReply: 100 });
    // Act
    const decisions = [];
    for (let question = 0; question < 4; question += 1) decisions.push(await budget.reserve('ada', NOON + question));
    // Assess
    expect(decisions.map((decision) => decision.admitted)).toEqual([true, true, true, false]);
    expect(decisions[0]).toEqual({ admitted: true, reservation: { userId: 'ada', day: '2040-07-14', reservedTokens: 100 } });
    expect(decisions[3]).toEqual({ admitted: false, resetsAtMs: NEXT_MIDNIGHT });
    expect(await budget.committedTokens('ada', NOON)).toBe(300);
  });

  it('admits exactly floor(limit / tokensPerReply) of 50 concurrent questions, and counts exactly what it admitted', async () => {
    // Prepare: 1000 is not a multiple of 64, so the last reservation that would cross the limit must be refused
    const limits = { dailyOutputTokens: 1000, tokensPerReply: 64 };
    const budget = budgetOf(limits);
    // Act
    const decisions = await Promise.all(Array.from({ length: 50 }, (_, question) => budget.reserve('crowd', NOON + question)));
    // Assess
    const admitted = decisions.filter((decision) => decision.admitted).length;
    expect(admitted).toBe(Math.floor(limits.dailyOutputTokens / limits.tokensPerReply));
    expect(await budget.committedTokens('crowd', NOON)).toBe(admitted * limits.tokensPerReply);
    for (const decision of decisions.filter((each) => !each.admitted)) expect(decision).toEqual({ admitted: false, resetsAtMs: NEXT_MIDNIGHT });
  });

  it('settles to what the reply cost, so the rest admits more questions; 0 gives the whole reservation back', async () => {
    // Prepare: the day's budget all reserved
    const budget = budgetOf({ dailyOutputTokens: 300, tokensPerReply: 100 });
    const [first, second] = [reservationOf(await budget.reserve('bea', NOON)), reservationOf(await budget.reserve('bea', NOON))];
    reservationOf(await budget.reserve('bea', NOON));
    expect((await budget.reserve('bea', NOON)).admitted).toBe(false);
    // Act
    await budget.settle(first, 0);
    const afterNothingUsed = await budget.committedTokens('bea', NOON);
    await budget.settle(second, 30);
    const afterSomeUsed = await budget.committedTokens('bea', NOON);
    const again = await budget.reserve('bea', NOON + 1);
    const onceMore = await budget.reserve('bea', NOON + 2);
    // Assess: 100 + 30 + 100 committed, a fourth reservation of 100 no longer fits
    expect([afterNothingUsed, afterSomeUsed]).toEqual([200, 130]);
    expect(again.admitted).toBe(true);
    expect(onceMore).toEqual({ admitted: false, resetsAtMs: NEXT_MIDNIGHT });
    expect(await budget.committedTokens('bea', NOON)).toBe(230);
  });

  it('settling the whole reservation changes nothing', async () => {
    const budget = budgetOf({ dailyOutputTokens: 300, tokensPerReply: 100 });
    const reservation = reservationOf(await budget.reserve('cal', NOON));
    await budget.settle(reservation, 100);
    expect(await budget.committedTokens('cal', NOON)).toBe(100);
  });

  it('starts a new UTC day from zero, and charges a reply settled after midnight to the day it was reserved', async () => {
    // Prepare: the day spent, one reply still running at midnight
    const budget = budgetOf({ dailyOutputTokens: 200, tokensPerReply: 100 });
    reservationOf(await budget.reserve('dee', NEXT_MIDNIGHT - 2));
    const lateReply = reservationOf(await budget.reserve('dee', NEXT_MIDNIGHT - 1));
    expect(await budget.reserve('dee', NEXT_MIDNIGHT - 1)).toEqual({ admitted: false, resetsAtMs: NEXT_MIDNIGHT });
    // Act
    const atMidnight = await budget.reserve('dee', NEXT_MIDNIGHT);
    await budget.settle(lateReply, 40);
    // Assess
    expect(atMidnight).toEqual({ admitted: true, reservation: { userId: 'dee', day: '2040-07-15', reservedTokens: 100 } });
    expect(await budget.committedTokens('dee', NEXT_MIDNIGHT)).toBe(100);
    expect(await budget.committedTokens('dee', NEXT_MIDNIGHT - 1)).toBe(140);
  });

  it('keeps users apart: one user out of budget leaves another untouched', async () => {
    const budget = budgetOf({ dailyOutputTokens: 100, tokensPerReply: 100 });
    reservationOf(await budget.reserve('eve', NOON));
    expect((await budget.reserve('eve', NOON)).admitted).toBe(false);
    expect((await budget.reserve('eve#2', NOON)).admitted).toBe(true);
    expect((await budget.reserve('fay', NOON)).admitted).toBe(true);
    expect([await budget.committedTokens('eve', NOON), await budget.committedTokens('fay', NOON), await budget.committedTokens('gus', NOON)]).toEqual([100, 100, 0]);
  });

  it("gives the day's counter a TTL after the day's reset, kept by later reservations and settlements", async () => {
    const budget = budgetOf({ dailyOutputTokens: 300, tokensPerReply: 100 });
    const reservation = reservationOf(await budget.reserve('hal', Date.UTC(2040, 6, 14, 0, 0, 1)));
    const first = await counterItem('hal', '2040-07-14');
    await budget.reserve('hal', NEXT_MIDNIGHT - 1);
    await budget.settle(reservation, 7);
    const later = await counterItem('hal', '2040-07-14');
    const ttl = first?.[TABLE_DEFINITIONS.connections.ttlAttribute];
    expect(typeof ttl).toBe('number');
    expect(Number(ttl) * 1000).toBeGreaterThan(NEXT_MIDNIGHT);
    expect(Number(ttl) * 1000).toBeLessThanOrEqual(NEXT_MIDNIGHT + 2 * DAY_MS);
    expect(later?.[TABLE_DEFINITIONS.connections.ttlAttribute]).toBe(ttl);
  });

  it('refuses limits that could never admit a question', () => {
    const refused: TokenBudgetLimits[] = [
      { dailyOutputTokens: 1000, tokensPerReply: 0 },
      { dailyOutputTokens: 1000, tokensPerReply: -5 },
      { dailyOutputTokens: 1000, tokensPerReply: 1.5 },
      { dailyOutputTokens: 1000, tokensPerReply: Number.NaN },
      { dailyOutputTokens: 99, tokensPerReply: 100 },
      { dailyOutputTokens: 1000.5, tokensPerReply: 100 },
      { dailyOutputTokens: Number.POSITIVE_INFINITY, tokensPerReply: 100 },
    ];
    for (const limits of refused) expect(() => budgetOf(limits)).toThrow(RangeError);
    expect(() => budgetOf({ dailyOutputTokens: 100, tokensPerReply: 100 })).not.toThrow();
  });

  it('refuses a negative or fractional cost and leaves the counter as it was', async () => {
    const budget = budgetOf({ dailyOutputTokens: 300, tokensPerReply: 100 });
    const reservation = reservationOf(await budget.reserve('ivy', NOON));
    for (const usedTokens of [-1, 2.5, Number.NaN]) await expect(budget.settle(reservation, usedTokens)).rejects.toThrow(RangeError);
    expect(await budget.committedTokens('ivy', NOON)).toBe(100);
  });
});
