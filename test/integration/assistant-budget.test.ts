import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '#testkit/fake-bedrock-client.ts';
import { jsonLinesSince, outputMark } from '#testkit/output.ts';
import { startRouteHarness } from '#testkit/route-harness.ts';
import { storedMessages } from '#testkit/stored-messages.ts';
import { testDocumentClient } from '#testkit/tables.ts';
import { DynamoTokenBudget } from '../../src/data/dynamo-token-budget.ts';
import { budgetResetMs } from '../../src/domain/token-budget.ts';
import { type FakeBedrock, startFakeBedrock } from '../../src/local/fake-bedrock/fake-bedrock.ts';
import { MetricName } from '../../src/observability/metric-names.ts';

/*
 * The daily output-token budget behind chat_message, on DynamoDB Local with the real SDK against the
 * fake Bedrock: 50 questions at once, while every admitted answer is held in progress.
 */
const LIMIT = 1_000;
const MAX_TOKENS = 100;
let fake: FakeBedrock;
let harness: Awaited<ReturnType<typeof startRouteHarness>>;
const db = testDocumentClient();

beforeAll(async () => {
  fake = await startFakeBedrock({ tokensPerSecond: 0 });
  harness = await startRouteHarness('budget', {
    RESPONDER: 'bedrock',
    BEDROCK_ENDPOINT: fake.endpoint,
    BEDROCK_MODEL_ID: 'test.fake-model-v1',
    BEDROCK_MAX_TOKENS: String(MAX_TOKENS),
    DAILY_OUTPUT_TOKENS_PER_USER: String(LIMIT),
    RATE_LIMIT_BURST: '200',
  });
});
afterAll(async () => {
  await harness.stop();
  await fake.stop();
});

describe('the daily output-token budget', () => {
  it('admits exactly what fits of 50 concurrent questions, stores nothing for the others, and charges the actual usage', async () => {
    const connections: string[] = [];
    for (let i = 0; i < 5; i += 1) connections.push((await harness.connect('bea')).connectionId);
    const release = fake.holdAnswers();
    const mark = outputMark();
    let settled = 0;
    const sends = Array.from({ length: 50 }, (_, i) =>
      harness
        // One session each: a session answers one question at a time.
        .send(connections[i % 5] as string, 'bea', { action: 'chat_message', data: { message: `question ${i}`, sessionId: `spend-${i}`, clientMessageId: `q-${i}` } })
        .finally(() => {
          settled += 1;
        }),
    );
    // Every admitted answer is held at the fake: the refused questions are answered meanwhile.
    const admitted = LIMIT / MAX_TOKENS;
    await eventually(() => fake.requests.length === admitted && settled === 50 - admitted, 'the refusals while the admitted answers are held');
    release();
    await Promise.all(sends);

    const frames = connections.flatMap((connectionId) => harness.management.framesTo(connectionId));
    const refusals = frames.filter((frame) => frame.type === 'error');
    expect(refusals).toHaveLength(50 - admitted);
    const resetsAt = budgetResetMs(Date.now());
    for (const refusal of refusals) {
      expect(refusal.error).toEqual({
        code: 'BUDGET_EXCEEDED',
        message: `Your daily budget for the assistant is spent; it resets at ${new Date(resetsAt).toISOString()}`,
        retryAfterMs: expect.any(Number),
      });
      expect(refusal.error.retryAfterMs).toBeGreaterThan(0);
      expect(refusal.error.retryAfterMs).toBeLessThanOrEqual(resetsAt - Date.now() + 60_000);
    }
    const stored = (await Promise.all(Array.from({ length: 50 }, (_, i) => storedMessages(db, harness.tables.messages, 'bea', `spend-${i}`)))).flat();
    expect(stored.filter((message) => message.role === 'user')).toHaveLength(admitted);
    const replies = stored.filter((message) => message.role === 'assistant');
    expect(replies).toHaveLength(admitted);
    expect(replies.every((reply) => reply.status === 'complete' && reply.usage !== undefined)).toBe(true);
    expect(metricsCount(jsonLinesSince(mark), MetricName.BudgetExceeded)).toBe(50 - admitted);

    // Settled to what the replies cost, far below what they reserved: there is room for more now.
    const budget = new DynamoTokenBudget(db, harness.tables.connections, { dailyOutputTokens: LIMIT, tokensPerReply: MAX_TOKENS });
    const charged = replies.reduce((sum, reply) => sum + (reply.usage?.outputTokens ?? 0), 0);
    expect(charged).toBeLessThan(LIMIT - MAX_TOKENS);
    expect(await budget.committedTokens('bea', Date.now())).toBe(charged);
    await harness.send(connections[0] as string, 'bea', { action: 'chat_message', data: { message: 'one more', sessionId: 'spend-0' } });
    expect(harness.management.framesTo(connections[0] as string).at(-1)).toMatchObject({ type: 'chat_message', data: { role: 'assistant', status: 'complete' } });
  });

  it('gives the whole reservation back when the model refuses, and charges other users nothing', async () => {
    const { connectionId } = await harness.connect('ned');
    await harness.send(connectionId, 'ned', { action: 'chat_message', data: { message: 'no access [fault:access-denied]', sessionId: 'refused' } });
    expect(harness.management.framesTo(connectionId).at(-1)).toMatchObject({ type: 'error', error: { code: 'ASSISTANT_UNAVAILABLE' } });
    const budget = new DynamoTokenBudget(db, harness.tables.connections, { dailyOutputTokens: LIMIT, tokensPerReply: MAX_TOKENS });
    expect(await budget.committedTokens('ned', Date.now())).toBe(0);
  });
});

/** The sum of a metric's values over EMF blobs; concurrent invocations in one process can put several values in one blob. */
const metricsCount = (lines: Array<Record<string, unknown>>, name: string): number =>
  lines
    .filter((line) => line._aws !== undefined && name in line)
    .flatMap((line) => [line[name]].flat())
    .reduce((sum: number, value) => sum + Number(value), 0);
