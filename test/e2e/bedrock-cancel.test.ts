/**
 * A cancel of the assistant's answer end to end: RESPONDER=bedrock with the real SDK against the fake
 * Bedrock on loopback (slowed down), through the local gateway. The cancel aborts the model stream
 * (the fake sees its client hang up, not a finished answer) and the reply ends `cancelled` with the
 * text so far on every connection of the user.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { fakeAnswer } from '#testkit/fake-answers.ts';
import { uniqueEnvironment } from '#testkit/tables.ts';
import { uniqueUser } from '#testkit/tokens.ts';
import { type LocalGateway, startLocalGateway } from '../../src/local/gateway/gateway.ts';
import { askAndAwaitFirstChunk, Connections, chunksAfterFinal, eventually, followChunks, framesOf, isFinalOf, questionOf } from './support/reply-frames.ts';

/** About 50 words at 10 a second: an answer of about 5 s, stopped early in it. */
const QUESTION = questionOf(30, 'b');

let gateway: LocalGateway;
const connections = new Connections(() => gateway);

beforeAll(async () => {
  gateway = await startLocalGateway({
    port: 0,
    environment: uniqueEnvironment('bcancel'),
    fakeBedrock: { tokensPerSecond: 10 },
    functionEnvironment: { RATE_LIMIT_BURST: '1000', RATE_LIMIT_PER_SECOND: '100' },
  });
  // Cold starts (the SDKs' load, seconds on a busy machine) happen here, not in the test's time.
  const warm = await connections.open(uniqueUser('warm'));
  const { replyId } = await askAndAwaitFirstChunk(warm, 'warm-up', 'hi');
  await warm.next(isFinalOf(replyId), 'the warm-up reply');
  warm.send({ action: 'cancel', data: { sessionId: 'warm-up', messageId: replyId } });
  await warm.next((frame) => frame.type === 'cancel_result', 'the warm-up cancel_result');
}, 120_000);

afterEach(() => connections.closeAll());

afterAll(async () => {
  await connections.closeAll();
  await gateway?.stop();
});

describe('cancelling a model answer', () => {
  it('aborts the model stream and ends the reply cancelled with the text so far, on every connection', async () => {
    // Prepare
    const user = uniqueUser('bedrock-stop');
    const asker = await connections.open(user);
    const other = await connections.open(user);
    const full = fakeAnswer(QUESTION);
    const { replyId } = await askAndAwaitFirstChunk(asker, 'model', QUESTION);

    // Act
    asker.send({ action: 'cancel', data: { sessionId: 'model', messageId: replyId } });
    const answer = await asker.next((frame) => frame.type === 'cancel_result', 'the cancel_result');
    const finals = await Promise.all([asker, other].map(async (client) => (await client.next(isFinalOf(replyId), 'the cancelled reply')).data));
    const request = await eventually(() => {
      const found = gateway.fakeBedrock?.requests.find((each) => each.conversation?.messages.at(-1)?.text === QUESTION);
      return found?.end === undefined ? undefined : found;
    }, "the fake's request to end");
    asker.send({ action: 'cancel', data: { sessionId: 'model', messageId: replyId } });
    const again = await asker.next((frame) => frame.type === 'cancel_result', 'the second cancel_result');

    // Assess
    expect(answer.data).toEqual({ sessionId: 'model', messageId: replyId, outcome: 'cancelling' });
    expect(again.data).toEqual({ sessionId: 'model', messageId: replyId, outcome: 'finished', status: 'cancelled' });
    // The SDK's request was aborted: the fake saw its client go away mid-answer.
    expect(request.end).toBe('client-closed');
    const [final, otherFinal] = finals;
    expect(otherFinal).toEqual(final);
    expect(final).toMatchObject({ role: 'assistant', status: 'cancelled' });
    expect(final.message.length).toBeGreaterThan(0);
    expect(final.message.length).toBeLessThan(full.length);
    expect(full.startsWith(final.message)).toBe(true);
    for (const client of [asker, other]) {
      expect(followChunks(client, replyId)).toMatchObject({ text: final.message, contiguous: true });
      expect(chunksAfterFinal(client, replyId)).toBe(0);
      expect(framesOf(client, isFinalOf(replyId))).toHaveLength(1);
    }
    expect(framesOf(other, (frame) => frame.type === 'cancel_result')).toEqual([]);
  }, 60_000);
});
