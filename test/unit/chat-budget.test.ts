import { describe, expect, it } from '@jest/globals';
import { inMemoryChat } from '#testkit/in-memory-chat.ts';
import { InMemoryConnectionStore } from '#testkit/in-memory-connection-store.ts';
import { InMemoryMessageStore } from '#testkit/in-memory-message-store.ts';
import { InMemoryTokenBudget } from '#testkit/in-memory-token-budget.ts';
import { RecordingSender, roleOf } from '#testkit/recording-sender.ts';
import type { ChatObserver } from '../../src/domain/chat-observer.ts';
import { handleChatMessage } from '../../src/domain/chat-service.ts';
import { Delivery } from '../../src/domain/delivery.ts';
import { BudgetExceededError } from '../../src/domain/errors.ts';
import type { ModelReply, ReplyOutcome } from '../../src/domain/model-reply.ts';
import type { Responder } from '../../src/domain/responder.ts';

const NOW = Date.parse('2026-12-01T22:00:00.000Z');
const clock = { nowMs: () => NOW };
const live = (connectionId: string) => ({ connectionId, userId: 'ann', connectedAt: 0, lastSeenAt: 0, expiresAt: 4e9 });

/** A model's reply that always ends with `outcome`. */
const modelReplying = (text: string, outcome: ReplyOutcome): Responder => ({
  streams: false,
  respond: (): ModelReply => {
    let ended: ReplyOutcome | undefined;
    return {
      async *[Symbol.asyncIterator]() {
        yield text;
        ended = outcome;
      },
      get outcome() {
        return ended;
      },
    };
  },
});

/** The message function's observer: what it tells its operator (the respond function reports through its metrics). */
const recordingObserver = () => {
  const events: string[] = [];
  const observer: ChatObserver = {
    budgetExceeded: (userId) => events.push(`budgetExceeded:${userId}`),
    replyEnded: (_outcome, status) => events.push(`replyEnded:${status}`),
    modelRefused: (error) => events.push(`modelRefused:${error.reason}`),
    settleFailed: (error) => events.push(`settleFailed:${error instanceof Error ? error.message : String(error)}`),
    answerInProgress: () => events.push('answerInProgress'),
    handOffFailed: () => events.push('handOffFailed'),
    replyRecovered: () => events.push('replyRecovered'),
  };
  return { events, observer };
};

const setup = async (budget: InMemoryTokenBudget, responder: Responder) => {
  const connections = new InMemoryConnectionStore();
  await connections.register(live('laptop'));
  const messages = new InMemoryMessageStore();
  const sender = new RecordingSender();
  const { events, observer } = recordingObserver();
  const { deps } = inMemoryChat({ connections, messages, responder, sender, clock, budget, observer });
  const ask = (message: string, clientMessageId?: string) =>
    handleChatMessage(deps, new Delivery(sender), { userId: 'ann', connectionId: 'laptop', sessionId: 's', message, ...(clientMessageId ? { clientMessageId } : {}) });
  return { messages, sender, events, ask };
};

describe('handleChatMessage with a token budget', () => {
  it('refuses a question over budget before storing or sending anything, with the reset time', async () => {
    const budget = new InMemoryTokenBudget(100, 100);
    const { messages, sender, events, ask } = await setup(budget, modelReplying('hi', { stopReason: 'end_turn', inputTokens: 5, outputTokens: 100 }));
    await ask('first');
    const postsBefore = sender.posts.length;
    const refusal = await ask('second').catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(BudgetExceededError);
    expect(refusal).toMatchObject({ code: 'BUDGET_EXCEEDED', retryAfterMs: 2 * 3_600_000, resetsAt: '2026-12-02T00:00:00.000Z' });
    expect(sender.posts.length).toBe(postsBefore);
    expect((await messages.listSession({ userId: 'ann', sessionId: 's', limit: 10, nowMs: NOW })).messages.map((message) => message.message)).toEqual(['first', 'hi']);
    expect(events).toEqual(['budgetExceeded:ann']);
  });

  it("settles a reply to the model's output tokens, or to an estimate when the model never said", async () => {
    const budget = new InMemoryTokenBudget(1_000, 100);
    const reported = await setup(budget, modelReplying('x'.repeat(40), { stopReason: 'end_turn', inputTokens: 9, outputTokens: 12 }));
    await reported.ask('q');
    const broken = await setup(budget, modelReplying('y'.repeat(41), { endedEarly: 'interrupted', errorName: 'ModelStreamErrorException' }));
    await broken.ask('q');
    expect(budget.settled.map((entry) => entry.usedTokens)).toEqual([12, 11]);
    expect(budget.committed('ann', NOW)).toBe(23);
    expect(broken.events).toEqual([]);
  });

  it('gives the reservation back when a resent question is acknowledged instead of answered', async () => {
    const budget = new InMemoryTokenBudget(1_000, 100);
    const { sender, ask } = await setup(budget, modelReplying('answer', { stopReason: 'end_turn', inputTokens: 3, outputTokens: 7 }));
    await ask('q', 'c-1');
    await ask('q', 'c-1');
    expect(budget.settled.map((entry) => entry.usedTokens)).toEqual([7, 0]);
    expect(budget.committed('ann', NOW)).toBe(7);
    expect(sender.posts.map((post) => roleOf(post.frame))).toEqual(['user', 'assistant', 'user']);
  });

  it('still answers when settling fails, leaving the whole reservation charged', async () => {
    const budget = new InMemoryTokenBudget(1_000, 100);
    budget.settleFailure = new Error('table unavailable');
    const { sender, ask } = await setup(budget, modelReplying('answer', { stopReason: 'end_turn', inputTokens: 3, outputTokens: 7 }));
    await ask('q');
    expect(sender.posts.at(-1)?.frame).toMatchObject({ type: 'chat_message', data: { role: 'assistant', message: 'answer', status: 'complete' } });
    expect(budget.committed('ann', NOW)).toBe(100);
  });
});
