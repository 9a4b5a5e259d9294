import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { lambdaContext } from '#testkit/events.ts';
import { jsonLinesSince, outputMark } from '#testkit/output.ts';
import { startRouteHarness } from '#testkit/route-harness.ts';
import { storedMessages } from '#testkit/stored-messages.ts';
import { testDocumentClient } from '#testkit/tables.ts';
import { type FakeBedrock, startFakeBedrock } from '../../src/local/fake-bedrock/fake-bedrock.ts';
import { DEFAULT_METRIC_NAMESPACE, METRIC_DIMENSIONS, MetricName } from '../../src/observability/metric-names.ts';

/*
 * The `bedrock` responder through the message function's whole chain: DynamoDB Local, the loopback
 * @connections API, and the real Bedrock SDK against the fake Bedrock. Each fault mode's frame,
 * metric and stored state (README, "The assistant").
 */
let fake: FakeBedrock;
let harness: Awaited<ReturnType<typeof startRouteHarness>>;
const db = testDocumentClient();

beforeAll(async () => {
  fake = await startFakeBedrock({ tokensPerSecond: 0, retryAfterMs: 20 });
  harness = await startRouteHarness('assistant', {
    RESPONDER: 'bedrock',
    BEDROCK_ENDPOINT: fake.endpoint,
    BEDROCK_MODEL_ID: 'test.fake-model-v1',
    BEDROCK_SYSTEM_PROMPT: 'You are a terse test assistant.',
    BEDROCK_MAX_TOKENS: '200',
    CONTEXT_MAX_MESSAGES: '5',
    // Longer than the SDK's backoff over three throttled attempts (at most 1 s, then 2 s): the gap also bounds a send() that is retrying.
    BEDROCK_STALL_GAP_MS: '5000',
    RATE_LIMIT_BURST: '100',
  });
});
afterAll(async () => {
  await harness.stop();
  await fake.stop();
});

type Frame = Record<string, any>;

const ask = async (userId: string, connectionId: string, message: string, sessionId: string, clientMessageId?: string) => {
  const before = harness.management.framesTo(connectionId).length;
  const requestsBefore = fake.requests.length;
  await harness.send(connectionId, userId, { action: 'chat_message', data: { message, sessionId, ...(clientMessageId ? { clientMessageId } : {}) } });
  const frames = harness.management.framesTo(connectionId).slice(before);
  return { frames, final: frames.filter((frame) => frame.type === 'chat_message').at(-1), requests: fake.requests.slice(requestsBefore) };
};

const errorOf = (frames: Frame[]) => frames.find((frame) => frame.type === 'error');
const metricsIn = (lines: Array<Record<string, unknown>>, name: string) => lines.filter((line) => line._aws !== undefined && name in line);

describe('the bedrock responder behind chat_message', () => {
  it('carries the session as context within its budget, streams the answer, and stores and sends its stop reason and usage', async () => {
    const { connectionId } = await harness.connect('cara');
    for (const question of ['first', 'second', 'third']) await ask('cara', connectionId, question, 'ctx');
    const mark = outputMark();
    const { frames, final, requests } = await ask('cara', connectionId, 'fourth', 'ctx');
    // CONTEXT_MAX_MESSAGES=5: the two newest exchanges and the question; the first exchange is left out.
    const conversation = requests[0]?.conversation;
    expect(conversation?.messages.map((turn) => `${turn.role}:${turn.text.slice(0, 12)}`)).toEqual([
      'user:second',
      expect.stringMatching(/^assistant:Turn 2/),
      'user:third',
      expect.stringMatching(/^assistant:Turn 3/),
      'user:fourth',
    ]);
    expect(conversation?.system).toEqual(['You are a terse test assistant.']);
    expect(requests[0]?.modelId).toBe('test.fake-model-v1');
    const chunks = frames.filter((frame) => frame.type === 'chat_message_chunk');
    expect(chunks.length).toBeGreaterThan(0);
    expect(final?.data).toMatchObject({
      role: 'assistant',
      status: 'complete',
      stopReason: 'end_turn',
      usage: { inputTokens: expect.any(Number), outputTokens: expect.any(Number) },
    });
    expect(chunks.map((chunk) => chunk.data.delta).join('')).toBe(final?.data.message);
    expect(final?.data.message).toContain('You asked: "fourth"');
    const stored = (await storedMessages(db, harness.tables.messages, 'cara', 'ctx')).at(-1);
    expect(stored).toMatchObject({ messageId: final?.data.messageId, status: 'complete', stopReason: 'end_turn', usage: final?.data.usage, message: final?.data.message });
    const lines = jsonLinesSince(mark);
    for (const name of [MetricName.TimeToFirstToken, MetricName.ModelLatency, MetricName.InputTokens, MetricName.OutputTokens]) expect(metricsIn(lines, name)).toHaveLength(1);
    expect(metricsIn(lines, MetricName.OutputTokens)[0]?.[MetricName.OutputTokens]).toBe(final?.data.usage?.outputTokens);
    // The alarms and dashboard read these in the project's namespace and dimensions (test/terraform/monitoring.test.ts).
    expect(metricsIn(lines, MetricName.TimeToFirstToken)[0]?._aws).toMatchObject({
      CloudWatchMetrics: [{ Namespace: DEFAULT_METRIC_NAMESPACE, Dimensions: [[...METRIC_DIMENSIONS]] }],
    });
  });

  it('answers after throttling the SDK retried away, with nothing shown to the user', async () => {
    const { connectionId } = await harness.connect('tess');
    const { frames, final, requests } = await ask('tess', connectionId, 'busy once [fault:throttle:1]', 'thr');
    expect(requests.map((request) => request.attempt)).toEqual([1, 2]);
    expect(errorOf(frames)).toBeUndefined();
    expect(final?.data).toMatchObject({ role: 'assistant', status: 'complete' });
  });

  it('tells the sender MODEL_BUSY with retryAfterMs when throttling persists, ends the reply as failed and empty, and answers the resend again', async () => {
    const { connectionId } = await harness.connect('ted');
    const mark = outputMark();
    const first = await ask('ted', connectionId, 'always busy [fault:throttle]', 'busy', 'c-busy');
    expect(first.requests.map((request) => request.attempt)).toEqual([1, 2, 3]);
    expect(errorOf(first.frames)?.error).toEqual({ code: 'MODEL_BUSY', message: expect.stringContaining('busy'), retryAfterMs: expect.any(Number) });
    const stored = await storedMessages(db, harness.tables.messages, 'ted', 'busy');
    expect(stored.map((message) => [message.role, message.status, message.message])).toEqual([
      ['user', undefined, 'always busy [fault:throttle]'],
      ['assistant', 'failed', ''],
    ]);
    const modelErrors = metricsIn(jsonLinesSince(mark), MetricName.ModelError);
    expect(modelErrors.map((line) => line.reason)).toEqual(['ThrottlingException']);
    // The reply lease was released: the client's resend asks the model again instead of being acknowledged as a duplicate.
    const resend = await ask('ted', connectionId, 'always busy [fault:throttle]', 'busy', 'c-busy');
    expect(resend.requests.length).toBe(3);
    expect(errorOf(resend.frames)?.error.code).toBe('MODEL_BUSY');
    // The question is stored once; each attempt's reply ended failed.
    expect((await storedMessages(db, harness.tables.messages, 'ted', 'busy')).map((message) => message.role)).toEqual(['user', 'assistant', 'assistant']);
  });

  it.each([
    ['access-denied', 'AccessDeniedException'],
    ['unknown-model', 'ResourceNotFoundException'],
    ['validation', 'ValidationException'],
  ])('answers [fault:%s] with ASSISTANT_UNAVAILABLE and no internals, a ModelError with reason %s and a log line naming it', async (marker, errorName) => {
    const userId = `una-${marker}`;
    const { connectionId } = await harness.connect(userId);
    const mark = outputMark();
    const { frames, requests } = await ask(userId, connectionId, `hello [fault:${marker}]`, 'una');
    expect(requests).toHaveLength(1);
    const error = errorOf(frames)?.error;
    expect(error).toEqual({ code: 'ASSISTANT_UNAVAILABLE', message: 'The assistant is unavailable right now; please try again later' });
    // The reply item the hand-off created ends failed and empty, on every connection, before the error frame.
    expect(frames.map((frame) => (frame.type === 'chat_message' ? `${frame.data.role}:${frame.data.status ?? ''}` : frame.type))).toEqual(['user:', 'assistant:failed', 'error']);
    expect((await storedMessages(db, harness.tables.messages, userId, 'una')).map((message) => `${message.role}:${message.message}`)).toEqual([
      `user:hello [fault:${marker}]`,
      'assistant:',
    ]);
    const lines = jsonLinesSince(mark);
    expect(metricsIn(lines, MetricName.ModelError).map((line) => line.reason)).toEqual([errorName]);
    expect(lines.filter((line) => line.level === 'ERROR' && line.errorName === errorName)).toHaveLength(1);
  });

  it.each([
    ['unavailable', 'MODEL_BUSY', 'ServiceUnavailableException'],
    ['internal', 'ASSISTANT_UNAVAILABLE', 'InternalServerException'],
  ])('retries [fault:%s] in the SDK, then answers %s with a ModelError reason %s', async (marker, code, errorName) => {
    const userId = `retry-${marker}`;
    const { connectionId } = await harness.connect(userId);
    const mark = outputMark();
    const { frames, requests } = await ask(userId, connectionId, `hello [fault:${marker}]`, 'srv');
    expect(requests.map((request) => request.attempt)).toEqual([1, 2, 3]);
    expect(errorOf(frames)?.error.code).toBe(code);
    expect(metricsIn(jsonLinesSince(mark), MetricName.ModelError).map((line) => line.reason)).toEqual([errorName]);
  });

  it('stores an empty failed reply when the stream breaks before its first word, and the next question still gets a well-formed context', async () => {
    const { connectionId } = await harness.connect('eve');
    const broken = await ask('eve', connectionId, 'first [fault:exception-at:0]', 'empty');
    expect(broken.final?.data).toMatchObject({ role: 'assistant', status: 'failed', message: '' });
    const next = await ask('eve', connectionId, 'second', 'empty');
    // The unanswered question and its empty reply are left out: Converse needs alternating, non-empty turns.
    expect(next.requests[0]?.conversation?.messages).toEqual([{ role: 'user', text: 'second' }]);
    expect(next.final?.data).toMatchObject({ status: 'complete' });
  });

  it('keeps the text received before an exception mid-stream, stored and sent to every connection of the user as failed', async () => {
    const phone = await harness.connect('ivy');
    const laptop = await harness.connect('ivy');
    const mark = outputMark();
    const { frames, final } = await ask('ivy', phone.connectionId, 'tell me a story [fault:exception-at:4]', 'broken');
    const chunks = frames.filter((frame) => frame.type === 'chat_message_chunk').map((frame) => frame.data.delta);
    expect(final?.data).toMatchObject({ role: 'assistant', status: 'failed' });
    expect(final?.data.message.length).toBeGreaterThan(0);
    expect(chunks.join('')).toBe(final?.data.message);
    expect(final?.data).not.toHaveProperty('stopReason');
    const onLaptop = harness.management
      .framesTo(laptop.connectionId)
      .filter((frame) => frame.type === 'chat_message')
      .at(-1);
    expect(onLaptop?.data).toEqual(final?.data);
    const stored = (await storedMessages(db, harness.tables.messages, 'ivy', 'broken')).at(-1);
    expect(stored).toMatchObject({ role: 'assistant', status: 'failed', message: final?.data.message });
    expect(metricsIn(jsonLinesSince(mark), MetricName.ModelError).map((line) => line.reason)).toEqual(['ModelStreamErrorException']);
  });

  it('aborts a stream silent for longer than BEDROCK_STALL_GAP_MS and stores what came as failed (reason stalled)', async () => {
    const { connectionId } = await harness.connect('sam');
    const mark = outputMark();
    const { final } = await ask('sam', connectionId, 'and then [fault:stall:3]', 'stall');
    expect(final?.data).toMatchObject({ role: 'assistant', status: 'failed', message: expect.stringMatching(/^Turn/) });
    expect(metricsIn(jsonLinesSince(mark), MetricName.ModelError).map((line) => line.reason)).toEqual(['stalled']);
    await expect(storedMessages(db, harness.tables.messages, 'sam', 'stall')).resolves.toEqual([
      expect.objectContaining({ role: 'user' }),
      expect.objectContaining({ role: 'assistant', status: 'failed', message: final?.data.message }),
    ]);
  });

  it("stops a reply at the invocation's deadline (remaining time less the margin) and stores it as truncated", async () => {
    const { connectionId } = await harness.connect('dee');
    // The respond function's context: 3,000 ms of margin, 150 ms left to stream, and a stall that would last 5 s.
    harness.invoker.context = () => ({ ...lambdaContext('test-websocket-respond'), getRemainingTimeInMillis: () => 3_150 });
    const mark = outputMark();
    await harness.send(connectionId, 'dee', { action: 'chat_message', data: { message: 'slow [fault:stall:3]', sessionId: 'late' } });
    harness.invoker.context = () => lambdaContext('test-websocket-respond');
    const final = harness.management
      .framesTo(connectionId)
      .filter((frame) => frame.type === 'chat_message')
      .at(-1);
    expect(final?.data).toMatchObject({ role: 'assistant', status: 'truncated', message: expect.stringMatching(/^Turn/) });
    expect(metricsIn(jsonLinesSince(mark), MetricName.ModelError)).toEqual([]);
  });
});
