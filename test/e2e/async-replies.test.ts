/**
 * The hand-off to `respond` end to end: real WebSockets through the local gateway (src/handlers,
 * DynamoDB Local, Lambda's Invoke API emulated), RESPONDER=echo-stream slowed by ECHO_STREAM_DELAY_MS
 * so an answer outlives the (shortened) integration timeout. An answer that completes after the
 * route returned, a cancel, and one answer at a time per session.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { InvocationRecorder, requestContextOf } from '#testkit/invocation-recorder.ts';
import { uniqueEnvironment } from '#testkit/tables.ts';
import { uniqueUser } from '#testkit/tokens.ts';
import { isError, type TestClient } from '#testkit/ws-client.ts';
import { type InvocationRecord, type LocalGateway, startLocalGateway } from '../../src/local/gateway/gateway.ts';
import {
  askAndAwaitFirstChunk,
  Connections,
  chunksAfterFinal,
  echoOf,
  eventually,
  followChunks,
  framesOf,
  historyOf,
  isFinalOf,
  isTimeoutFrame,
  questionOf,
} from './support/reply-frames.ts';

const WORD_DELAY_MS = 100;
/** 28 words + "You said:": 30 pieces at 100 ms, an answer of about 3 s, three integration timeouts. */
const LONG_QUESTION = questionOf(28);
/** About 6 s: time for a question in another session to be answered meanwhile, cold sandbox or not. */
const LONGER_QUESTION = questionOf(58, 'x');
const INTEGRATION_TIMEOUT_MS = 1_000;

let gateway: LocalGateway;
const recorder = new InvocationRecorder();
const connections = new Connections(() => gateway);

/** Sends a question and waits for its whole answer (its final chat_message). */
const askToTheEnd = async (client: TestClient, sessionId: string, message: string) => {
  const { question, replyId } = await askAndAwaitFirstChunk(client, sessionId, message);
  const frame = await client.next(isFinalOf(replyId), `the reply to ${message}`);
  return { question, replyId, frame, final: frame.data };
};

beforeAll(async () => {
  gateway = await startLocalGateway({
    port: 0,
    environment: uniqueEnvironment('async'),
    integrationTimeoutMs: INTEGRATION_TIMEOUT_MS,
    onInvoke: recorder.onInvoke,
    functionEnvironment: {
      RESPONDER: 'echo-stream',
      ECHO_STREAM_DELAY_MS: String(WORD_DELAY_MS),
      // Persisted five times a second: history sees the answer mid-way whatever the machine's load.
      REPLY_PERSIST_INTERVAL_MS: '200',
      RATE_LIMIT_BURST: '1000',
      RATE_LIMIT_PER_SECOND: '100',
    },
  });
  // Warm two sandboxes of message and respond, and history's and cancel's: a cold start (seconds on a
  // busy machine) must not count against the short integration timeout, nor outlast the answer a test
  // runs beside.
  const warm = await connections.open(uniqueUser('warm'));
  const [{ replyId }] = await Promise.all([askToTheEnd(warm, 'warm-up', 'hi'), askToTheEnd(warm, 'warm-up-2', 'hello')]);
  await historyOf(warm, 'warm-up');
  warm.send({ action: 'cancel', data: { sessionId: 'warm-up', messageId: replyId } });
  await warm.next((frame) => frame.type === 'cancel_result', 'the warm-up cancel_result');
}, 120_000);

afterEach(() => connections.closeAll());

afterAll(async () => {
  await connections.closeAll();
  await gateway?.stop();
});

describe('an answer handed off to respond', () => {
  it('completes though it outlives the integration timeout: the route returns at the hand-off, history shows it streaming, then complete', async () => {
    // Prepare
    const client = await connections.open(uniqueUser('long'));
    const full = echoOf(LONG_QUESTION);

    const mark = recorder.records.length;

    // Act: the answer starts; history is read while it streams, then the answer ends.
    const { replyId } = await askAndAwaitFirstChunk(client, 'long', LONG_QUESTION);
    const midway = await eventually(async () => {
      const reply = (await historyOf(client, 'long')).find((message) => message.messageId === replyId);
      if (reply?.status !== 'streaming') return undefined;
      if (reply.message === '') return undefined;
      // The chat_message integration has ended (onInvoke reports an invocation once it returned).
      return { reply, routeReturned: recorder.records.slice(mark).some((record) => record.routeKey === 'chat_message' && record.outcome.ok) };
    }, 'the reply streaming with some text in history');
    const final = (await client.next(isFinalOf(replyId), 'the complete reply')).data;
    const stored = await historyOf(client, 'long');

    // Assess
    expect(midway.routeReturned).toBe(true);
    expect(midway.reply.message.length).toBeLessThan(full.length);
    expect(full.startsWith(midway.reply.message)).toBe(true);
    expect(final).toMatchObject({ messageId: replyId, role: 'assistant', status: 'complete', message: full });
    const streamed = followChunks(client, replyId);
    expect(streamed).toEqual({ text: full, count: expect.any(Number), contiguous: true });
    expect(streamed.count).toBeGreaterThan(1);
    expect(chunksAfterFinal(client, replyId)).toBe(0);
    expect(stored.map((message) => [message.role, message.status, message.message])).toEqual([
      ['user', undefined, LONG_QUESTION],
      ['assistant', 'complete', full],
    ]);
    // The route's integration ended long before the answer: API Gateway never timed it out.
    const route = recorder.records.slice(mark).find((record) => record.routeKey === 'chat_message') as InvocationRecord;
    const routeRequestId = requestContextOf(route).requestId;
    expect(routeRequestId).toEqual(expect.any(String));
    expect(client.received.filter((frame) => isTimeoutFrame(frame) && frame.requestId === routeRequestId)).toEqual([]);
    const respond = recorder.records.filter((record) => record.functionName === 'respond' && (record.event as { replyMessageId?: string }).replyMessageId === replyId);
    expect(respond.map((record) => [record.invocationType, record.attempt, record.outcome.ok])).toEqual([['Event', 1, true]]);
  }, 60_000);

  it('stops on a cancel: cancelling to the sender, then the text so far as cancelled on every connection, and finished when cancelled again', async () => {
    // Prepare: two devices of one user; the second one stops the answer.
    const user = uniqueUser('stopper');
    const asker = await connections.open(user);
    const other = await connections.open(user);
    const full = echoOf(LONGER_QUESTION);
    const { replyId } = await askAndAwaitFirstChunk(asker, 'stop', LONGER_QUESTION);

    // Act
    other.send({ action: 'cancel', data: { sessionId: 'stop', messageId: replyId } });
    const answer = await other.next((frame) => frame.type === 'cancel_result', 'the cancel_result');
    const finals = await Promise.all([asker, other].map((client) => client.next(isFinalOf(replyId), 'the cancelled reply')));
    other.send({ action: 'cancel', data: { sessionId: 'stop', messageId: replyId } });
    const again = await other.next((frame) => frame.type === 'cancel_result', 'the second cancel_result');
    const stored = (await historyOf(asker, 'stop')).find((message) => message.messageId === replyId);

    // Assess
    expect(answer.data).toEqual({ sessionId: 'stop', messageId: replyId, outcome: 'cancelling' });
    expect(again.data).toEqual({ sessionId: 'stop', messageId: replyId, outcome: 'finished', status: 'cancelled' });
    expect(framesOf(asker, (frame) => frame.type === 'cancel_result')).toEqual([]);
    const [askerFinal, otherFinal] = finals.map((frame) => frame.data);
    expect(askerFinal).toEqual(otherFinal);
    expect(askerFinal).toMatchObject({ status: 'cancelled', role: 'assistant' });
    expect(askerFinal.message.length).toBeGreaterThan(0);
    expect(askerFinal.message.length).toBeLessThan(full.length);
    expect(full.startsWith(askerFinal.message)).toBe(true);
    expect(stored).toEqual(askerFinal);
    for (const client of [asker, other]) {
      // Every chunk went out before the final frame, and they add up to its text exactly.
      expect(followChunks(client, replyId)).toMatchObject({ text: askerFinal.message, contiguous: true });
      expect(chunksAfterFinal(client, replyId)).toBe(0);
      expect(framesOf(client, isFinalOf(replyId))).toHaveLength(1);
    }
  }, 60_000);

  it("answers unknown to a cancel of a user message, of an id never issued, or of another user's reply, and finished to a complete one", async () => {
    // Prepare: alice's reply is complete; bob uses the same session name.
    const alice = await connections.open(uniqueUser('alice'));
    const bob = await connections.open(uniqueUser('bob'));
    const { question, replyId } = await askToTheEnd(alice, 'shared', 'short one');
    const cancel = async (client: TestClient, messageId: string) => {
      client.send({ action: 'cancel', data: { sessionId: 'shared', messageId } });
      return (await client.next((frame) => frame.type === 'cancel_result' && frame.data.messageId === messageId, `the cancel_result for ${messageId}`)).data;
    };

    // Act
    const finished = await cancel(alice, replyId);
    const ofQuestion = await cancel(alice, question.messageId);
    const neverIssued = await cancel(alice, '01ARZ3NDEKTSV4RRFFQ69G5FAV');
    const othersReply = await cancel(bob, replyId);

    // Assess
    expect(finished).toEqual({ sessionId: 'shared', messageId: replyId, outcome: 'finished', status: 'complete' });
    expect(ofQuestion).toEqual({ sessionId: 'shared', messageId: question.messageId, outcome: 'unknown' });
    expect(neverIssued).toEqual({ sessionId: 'shared', messageId: '01ARZ3NDEKTSV4RRFFQ69G5FAV', outcome: 'unknown' });
    expect(othersReply).toEqual({ sessionId: 'shared', messageId: replyId, outcome: 'unknown' });
    expect(framesOf(alice, (frame) => frame.type === 'error')).toEqual([]);
    expect(framesOf(bob, (frame) => frame.type === 'error')).toEqual([]);
  }, 60_000);

  it('answers one question at a time per session: another one is refused with ANSWER_IN_PROGRESS, a resend of the first is acknowledged, another session is answered', async () => {
    // Prepare: the first answer streams.
    const client = await connections.open(uniqueUser('busy'));
    const full = echoOf(LONGER_QUESTION);
    const { question, replyId } = await askAndAwaitFirstChunk(client, 'one-at-a-time', LONGER_QUESTION, 'first');

    // Act: while it streams, a second question in the session, a resend of the first, and a question elsewhere.
    client.send({ action: 'chat_message', data: { message: 'me too', sessionId: 'one-at-a-time', clientMessageId: 'second' } });
    const refused = await client.next(isError('ANSWER_IN_PROGRESS'), 'ANSWER_IN_PROGRESS');
    client.send({ action: 'chat_message', data: { message: LONGER_QUESTION, sessionId: 'one-at-a-time', clientMessageId: 'first' } });
    const acknowledged = await client.next((frame) => frame.type === 'chat_message' && frame.data.clientMessageId === 'first', 'the acknowledgement of the resend');
    const elsewhere = await askToTheEnd(client, 'elsewhere', 'meanwhile');
    const finalFrame = await client.next(isFinalOf(replyId), 'the first answer');
    const final = finalFrame.data;
    const stored = await historyOf(client, 'one-at-a-time');

    // Assess
    expect(refused.error).toEqual({ code: 'ANSWER_IN_PROGRESS', message: expect.any(String) });
    expect(acknowledged.data).toEqual(question);
    expect(elsewhere.final).toMatchObject({ status: 'complete', message: echoOf('meanwhile') });
    // Answered while the first answer still streamed: its final frame came first.
    expect(client.received.indexOf(elsewhere.frame)).toBeLessThan(client.received.indexOf(finalFrame));
    expect(final).toMatchObject({ status: 'complete', message: full });
    expect(followChunks(client, replyId)).toMatchObject({ text: full, contiguous: true });
    expect(stored.map((message) => [message.role, message.message])).toEqual([
      ['user', LONGER_QUESTION],
      ['assistant', full],
    ]);
    expect(framesOf(client, isFinalOf(replyId))).toHaveLength(1);
    expect(framesOf(client, (frame) => frame.type === 'error')).toEqual([refused]);
  }, 60_000);
});
