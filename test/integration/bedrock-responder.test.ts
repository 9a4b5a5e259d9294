import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { clientFor, eventually, fixedHistory } from '#testkit/fake-bedrock-client.ts';
import { BedrockResponder, type BedrockResponderSettings } from '../../src/adapters/bedrock/bedrock-responder.ts';
import type { ConversationTurn } from '../../src/domain/conversation.ts';
import { ModelStreamInterruptedError, ModelThrottledError, ModelUnavailableError } from '../../src/domain/model-errors.ts';
import type { ModelCallOptions, ModelReply } from '../../src/domain/model-reply.ts';
import type { ResponderRequest } from '../../src/domain/responder.ts';
import { type FakeBedrock, startFakeBedrock } from '../../src/local/fake-bedrock/fake-bedrock.ts';
import { findFreePort } from '../../src/local/free-port.ts';

const PROFILE_ARN = 'arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-sonnet-4-v1:0';
const settings: BedrockResponderSettings = { modelId: PROFILE_ARN, maxTokens: 200, budget: { maxMessages: 20, maxChars: 10_000 } };
const user = (text: string): ConversationTurn => ({ role: 'user', text });
const assistant = (text: string): ConversationTurn => ({ role: 'assistant', text });
const question = (message: string): ResponderRequest => ({ userId: 'alice', sessionId: 's1', message, messageId: '01QUESTION' });

/** Iterates a reply to its end: the deltas, and the error it threw, if any. */
const drain = async (reply: ModelReply) => {
  const deltas: string[] = [];
  try {
    for await (const delta of reply) deltas.push(delta);
    return { deltas, text: deltas.join(''), error: undefined };
  } catch (error) {
    return { deltas, text: deltas.join(''), error };
  }
};

const responderOn = (fake: FakeBedrock, overrides: Partial<BedrockResponderSettings> = {}, { history = [] as ConversationTurn[], maxAttempts = 1 } = {}) =>
  new BedrockResponder({ client: clientFor(fake, maxAttempts), history: fixedHistory(history) }, { ...settings, ...overrides });

const ask = (fake: FakeBedrock, message: string, overrides: Partial<BedrockResponderSettings> = {}, options: ModelCallOptions = {}) =>
  drain(responderOn(fake, overrides).respond(question(message), options));

let fast: FakeBedrock;
let slow: FakeBedrock;
beforeAll(async () => {
  fast = await startFakeBedrock({ tokensPerSecond: 0, retryAfterMs: 20 });
  slow = await startFakeBedrock({ tokensPerSecond: 20 });
});
afterAll(async () => {
  await fast.stop();
  await slow.stop();
});

describe('BedrockResponder against the fake Bedrock (real SDK)', () => {
  it('sends the session context within its budget, with the system prompt and inference settings, and streams the answer', async () => {
    const stored = [user('q1'), assistant('a1'), user('q2 (its reply failed)'), assistant(''), user('q3'), assistant('a3'), user('q4'), assistant('a4')];
    const history = fixedHistory(stored);
    const responder = new BedrockResponder(
      { client: clientFor(fast), history },
      { ...settings, systemPrompt: 'You are terse.', temperature: 0.3, maxTokens: 100, budget: { maxMessages: 5, maxChars: 1000 } },
    );
    const reply = responder.respond(question('and now?'));
    const { deltas, text, error } = await drain(reply);

    expect(error).toBeUndefined();
    expect(history.queries).toEqual([{ userId: 'alice', sessionId: 's1', beforeMessageId: '01QUESTION', limit: 5 }]);
    const received = fast.requests.at(-1);
    expect(received?.modelId).toBe(PROFILE_ARN);
    expect(received?.conversation).toEqual({
      modelId: PROFILE_ARN,
      messages: [user('q3'), assistant('a3'), user('q4'), assistant('a4'), user('and now?')],
      system: ['You are terse.'],
      maxTokens: 100,
      temperature: 0.3,
    });
    expect(text).toBe('Turn 3 of this conversation (5 messages, with a system prompt). You asked: "and now?"');
    expect(deltas.length).toBeGreaterThan(1);
    expect(reply.outcome).toEqual({
      stopReason: 'end_turn',
      // One token per word for the fake: 'You are terse.' (3), q3, a3, q4, a4 (1 each), 'and now?' (2).
      inputTokens: 3 + 4 + 2,
      outputTokens: deltas.length,
      timeToFirstTokenMs: expect.any(Number),
      modelLatencyMs: expect.any(Number),
    });
  });

  it('reports max_tokens when the answer is cut at maxTokens', async () => {
    const reply = responderOn(fast, { maxTokens: 4 }).respond(question('hello'));
    const { deltas } = await drain(reply);
    expect(deltas).toHaveLength(4);
    expect(reply.outcome).toMatchObject({ stopReason: 'max_tokens', outputTokens: 4 });
  });

  it('lets the SDK retry throttling (the fake counts the attempts), then answers', async () => {
    const reply = responderOn(fast, {}, { maxAttempts: 3 }).respond(question('busy? [fault:throttle:2]'));
    const { text, error } = await drain(reply);
    expect(error).toBeUndefined();
    expect(text).toContain('You asked: "busy? [fault:throttle:2]"');
    const attempts = fast.requests.filter((request) => request.conversation?.messages.at(-1)?.text === 'busy? [fault:throttle:2]');
    expect(attempts.map((request) => [request.attempt, request.status])).toEqual([
      [1, 429],
      [2, 429],
      [3, 200],
    ]);
    expect(new Set(attempts.map((request) => request.invocationId)).size).toBe(1);
  });

  it('gives ModelThrottledError with the service hint as retryAfterMs when throttling outlasts the retries', async () => {
    const reply = responderOn(fast, {}, { maxAttempts: 2 }).respond(question('busy [fault:throttle]'));
    const { deltas, error } = await drain(reply);
    expect(deltas).toEqual([]);
    expect(error).toBeInstanceOf(ModelThrottledError);
    expect(error).toMatchObject({ reason: 'ThrottlingException', retryAfterMs: 20 });
    expect(fast.requests.filter((request) => request.conversation?.messages.at(-1)?.text === 'busy [fault:throttle]')).toHaveLength(2);
    expect(reply.outcome).toEqual({ endedEarly: 'refused', errorName: 'ThrottlingException' });
  });

  it.each([
    ['[fault:access-denied]', 'AccessDeniedException'],
    ['[fault:unknown-model]', 'ResourceNotFoundException'],
    ['[fault:validation]', 'ValidationException'],
  ])('gives ModelUnavailableError for %s, with the AWS error name as reason, without retrying', async (marker, reason) => {
    const before = fast.requests.length;
    const { deltas, error } = await ask(fast, `hello ${marker}`);
    expect(deltas).toEqual([]);
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect(error).toMatchObject({ reason });
    expect(fast.requests.length - before).toBe(1);
  });

  it('gives ModelUnavailableError when nothing listens at the endpoint', async () => {
    const closed = { endpoint: `http://127.0.0.1:${await findFreePort()}`, requests: [], holdAnswers: () => () => undefined, stop: async () => undefined };
    const { error } = await ask(closed, 'hello');
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect(error).toMatchObject({ reason: 'ECONNREFUSED' });
  });

  it.each([
    ['[fault:exception-at:3]', 'ModelStreamErrorException', 2],
    ['[fault:exception-at:5:internalServerException]', 'InternalServerException', 4],
    ['[fault:exception-at:4:throttlingException]', 'ThrottlingException', 3],
    ['[fault:exception-at:0]', 'ModelStreamErrorException', 0],
    ['[fault:exception-at:1]', 'ModelStreamErrorException', 0],
  ])('gives ModelStreamInterruptedError for %s, keeping the text received before it', async (marker, reason, words) => {
    const reply = responderOn(fast).respond(question(`hi ${marker}`));
    const { deltas, text, error } = await drain(reply);
    expect(deltas).toHaveLength(words);
    expect(error).toBeInstanceOf(ModelStreamInterruptedError);
    expect(error).toMatchObject({ reason, partialText: text });
    expect(reply.outcome).toMatchObject({ endedEarly: 'interrupted', errorName: reason });
    expect(reply.outcome?.stopReason).toBeUndefined();
  });

  it('aborts a stream that goes silent for longer than the gap, keeping the text so far, and closes the connection', async () => {
    const reply = responderOn(fast, { stallGapMs: 150 }).respond(question('tell me [fault:stall]'));
    const { deltas, error } = await drain(reply);
    expect(error).toBeUndefined();
    expect(deltas).toEqual(['Turn ']);
    expect(reply.outcome).toEqual({ endedEarly: 'stalled', timeToFirstTokenMs: expect.any(Number) });
    const stalled = fast.requests.at(-1);
    await eventually(() => stalled?.end === 'stalled', 'the fake sees the stalled connection closed');
  });

  it('aborts a stream that never sends its first event (the SDK is still inside send)', async () => {
    const reply = responderOn(fast, { stallGapMs: 150 }).respond(question('tell me [fault:stall:0]'));
    const { deltas, error } = await drain(reply);
    expect(error).toBeUndefined();
    expect(deltas).toEqual([]);
    expect(reply.outcome).toEqual({ endedEarly: 'stalled' });
    const stalled = fast.requests.at(-1);
    await eventually(() => stalled?.end === 'stalled', 'the fake sees the stalled connection closed');
  });

  it('stops at the deadline (remaining time less the margin), keeping a prefix of the answer', async () => {
    const reply = responderOn(slow, { deadlineMarginMs: 1000 }).respond(question('a long question'), { remainingMs: () => 1150 });
    const { text, error } = await drain(reply);
    expect(error).toBeUndefined();
    expect(reply.outcome?.endedEarly).toBe('deadline');
    const whole = 'Turn 1 of this conversation (1 messages, no system prompt). You asked: "a long question"';
    expect(whole.startsWith(text)).toBe(true);
    expect(text.length).toBeLessThan(whole.length);
    const cut = slow.requests.at(-1);
    await eventually(() => cut?.end === 'client-closed', 'the fake sees the connection closed');
  });

  it('does not call the model when the invocation has no time left past the margin', async () => {
    const before = fast.requests.length;
    const reply = responderOn(fast, { deadlineMarginMs: 3000 }).respond(question('too late'), { remainingMs: () => 2500 });
    expect(await drain(reply)).toMatchObject({ deltas: [], error: undefined });
    expect(reply.outcome).toEqual({ endedEarly: 'deadline' });
    expect(fast.requests.length).toBe(before);
  });

  it('stops when the caller cancels, keeping the text so far', async () => {
    const cancel = new AbortController();
    const reply = responderOn(slow).respond(question('stop me'), { signal: cancel.signal });
    const deltas: string[] = [];
    for await (const delta of reply) {
      deltas.push(delta);
      if (deltas.length === 2) cancel.abort();
    }
    expect(deltas).toEqual(['Turn ', '1 ']);
    expect(reply.outcome).toMatchObject({ endedEarly: 'cancelled' });
    const cancelled = slow.requests.at(-1);
    await eventually(() => cancelled?.end === 'client-closed', 'the fake sees the connection closed');
  });

  it('releases the stream when the caller stops iterating', async () => {
    const reply = responderOn(slow).respond(question('just the start'));
    for await (const delta of reply) {
      expect(delta).toBe('Turn ');
      break;
    }
    expect(reply.outcome).toMatchObject({ endedEarly: 'cancelled' });
    const left = slow.requests.at(-1);
    await eventually(() => left?.end === 'client-closed', 'the fake sees the connection closed');
  });

  it('refuses settings that cannot work, at construction', () => {
    const deps = { client: clientFor(fast), history: fixedHistory([]) };
    expect(() => new BedrockResponder(deps, { ...settings, modelId: ' ' })).toThrow('modelId must not be blank');
    expect(() => new BedrockResponder(deps, { ...settings, maxTokens: 0 })).toThrow('maxTokens must be a whole number of at least 1, got 0');
    expect(() => new BedrockResponder(deps, { ...settings, temperature: 1.5 })).toThrow('temperature must be between 0 and 1, got 1.5');
    expect(() => new BedrockResponder(deps, { ...settings, stallGapMs: -5 })).toThrow('stallGapMs must be a whole number of at least 1');
    expect(() => new BedrockResponder(deps, { ...settings, budget: { maxMessages: 0, maxChars: 10 } })).toThrow('maxMessages must be a whole number');
  });
});
