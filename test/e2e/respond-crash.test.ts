/**
 * Lambda's delivery of a reply job, end to end through the local gateway (src/handlers, DynamoDB
 * Local, Lambda's Invoke API with short retry delays): a respond sandbox that crashes mid-answer is
 * followed by Lambda's retry, which ends the reply `failed` with the text persisted before the crash;
 * a second delivery of the same job (the real LambdaClient) while the first runs, or after it ended,
 * changes nothing. One reply each time, never doubled text.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { InvocationRecorder } from '#testkit/invocation-recorder.ts';
import { uniqueEnvironment } from '#testkit/tables.ts';
import { uniqueUser } from '#testkit/tokens.ts';
import type { Frame } from '#testkit/ws-client.ts';
import { type InvocationRecord, type LocalGateway, startLocalGateway } from '../../src/local/gateway/gateway.ts';
import {
  askAndAwaitFirstChunk,
  Connections,
  chunksAfterFinal,
  connectionIdOf,
  echoOf,
  eventually,
  followChunks,
  framesOf,
  historyOf,
  isFinalOf,
  questionOf,
} from './support/reply-frames.ts';

/** 80 words at 50 ms: an answer of about 4 s, crashed early in it. */
const CRASHED_QUESTION = questionOf(80, 'c');
/** About 5 s: a second delivery (on a warm sandbox) arrives while it streams. */
const DUPLICATED_QUESTION = questionOf(100, 'd');

let gateway: LocalGateway;
let lambda: LambdaClient;
const recorder = new InvocationRecorder();
const connections = new Connections(() => gateway);

const respondRecordsOf = (replyId: string): InvocationRecord[] =>
  recorder.records.filter((record) => record.functionName === 'respond' && (record.event as { replyMessageId?: string }).replyMessageId === replyId);

/** A RequestResponse invoke of respond, as an operator's test invoke or a duplicated delivery would run it. @returns its result */
const invokeRespond = async (job: unknown): Promise<unknown> => {
  const answer = await lambda.send(
    new InvokeCommand({ FunctionName: `${gateway.environment}-websocket-respond`, InvocationType: 'RequestResponse', Payload: JSON.stringify(job) }),
  );
  expect(answer.FunctionError).toBeUndefined();
  return JSON.parse(Buffer.from(answer.Payload ?? new Uint8Array()).toString('utf8'));
};

beforeAll(async () => {
  gateway = await startLocalGateway({
    port: 0,
    environment: uniqueEnvironment('crash'),
    onInvoke: recorder.onInvoke,
    // Lambda retries a failed event after about a minute; here after a second.
    asyncInvocation: { retryDelaysMs: [1_000, 1_000] },
    functionEnvironment: {
      RESPONDER: 'echo-stream',
      ECHO_STREAM_DELAY_MS: '50',
      // A crashed attempt is taken as gone once it has not persisted for 300 ms: before the retry comes.
      REPLY_PERSIST_INTERVAL_MS: '100',
      REPLY_STALE_MS: '300',
      RATE_LIMIT_BURST: '1000',
      RATE_LIMIT_PER_SECOND: '100',
    },
  });
  lambda = new LambdaClient({ endpoint: gateway.lambdaEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  // Three warm respond sandboxes (and history's): after the crash kills one, a second delivery still runs
  // beside the first without a cold start.
  const warm = await connections.open(uniqueUser('warm'));
  const warmUps = await Promise.all(['warm-1', 'warm-2', 'warm-3'].map((sessionId) => askAndAwaitFirstChunk(warm, sessionId, 'hi')));
  await Promise.all(warmUps.map(({ replyId }) => warm.next(isFinalOf(replyId), 'a warm-up reply')));
  await historyOf(warm, 'warm-1');
}, 120_000);

afterEach(() => connections.closeAll());

afterAll(async () => {
  await connections.closeAll();
  lambda?.destroy();
  await gateway?.stop();
});

describe('respond delivered more than once', () => {
  it("after a crash mid-answer, Lambda's retry ends the reply failed with the persisted text, once, on every connection, and frees the turn", async () => {
    // Prepare: two devices; the answer streams and part of it is persisted.
    const user = uniqueUser('crash');
    const asker = await connections.open(user);
    const other = await connections.open(user);
    const full = echoOf(CRASHED_QUESTION);
    const { replyId } = await askAndAwaitFirstChunk(asker, 'crash', CRASHED_QUESTION);
    const persisted = await eventually(async () => {
      const reply = (await historyOf(asker, 'crash')).find((message) => message.messageId === replyId);
      return reply?.status === 'streaming' && reply.message !== '' ? reply.message : undefined;
    }, 'some of the answer persisted');

    // Act: the respond sandbox dies (a runtime crash); Lambda retries the event.
    const crashed = gateway.crashSandboxes('respond');
    // A device that connects while the answer waits for Lambda's retry gets its end too.
    const late = await connections.open(user);
    const finals = await Promise.all([asker, other, late].map(async (client) => (await client.next(isFinalOf(replyId), 'the final reply')).data as Frame));
    const retried = await recorder.waitFor((record) => record.attempt === 2 && respondRecordsOf(replyId).includes(record), 'the retry');
    // The turn is free: the next question in the session is answered.
    const { replyId: nextId } = await askAndAwaitFirstChunk(asker, 'crash', 'and now?');
    const next = (await asker.next(isFinalOf(nextId), 'the next reply')).data;
    const stored = await historyOf(asker, 'crash');

    // Assess
    expect(crashed).toBe(1);
    const [final, otherFinal, lateFinal] = finals as [Frame, Frame, Frame];
    expect(otherFinal).toEqual(final);
    expect(lateFinal).toEqual(final);
    expect(framesOf(late, isFinalOf(replyId))).toHaveLength(1);
    expect(final).toMatchObject({ messageId: replyId, role: 'assistant', status: 'failed' });
    // The text persisted before the crash (at least what history saw), a prefix of the full answer.
    expect(final.message.startsWith(persisted)).toBe(true);
    expect(full.startsWith(final.message)).toBe(true);
    expect(final.message.length).toBeLessThan(full.length);
    for (const client of [asker, other]) {
      const streamed = followChunks(client, replyId);
      // Nothing doubled or missing in what was streamed; the failed text is the same answer's (one may be ahead of the other).
      expect(streamed.contiguous).toBe(true);
      expect(full.startsWith(streamed.text)).toBe(true);
      expect(framesOf(client, isFinalOf(replyId))).toHaveLength(1);
      expect(chunksAfterFinal(client, replyId)).toBe(0);
    }
    expect(respondRecordsOf(replyId).map((record) => [record.attempt, record.outcome.ok])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(respondRecordsOf(replyId)[0]?.outcome).toMatchObject({ ok: false, error: { errorType: 'Runtime.ExitError' } });
    expect(retried.outcome).toMatchObject({ ok: true, result: { outcome: 'ended', status: 'failed' } });
    expect(gateway.asyncFailures).toEqual([]);
    expect(next).toMatchObject({ status: 'complete', message: echoOf('and now?') });
    expect(stored.map((message) => [message.role, message.status, message.message])).toEqual([
      ['user', undefined, CRASHED_QUESTION],
      ['assistant', 'failed', final.message],
      ['user', undefined, 'and now?'],
      ['assistant', 'complete', echoOf('and now?')],
    ]);
  }, 60_000);

  it('a second delivery of the job while the first runs, or after it ended, does nothing: one reply, no doubled text', async () => {
    // Prepare
    const user = uniqueUser('twice');
    const client = await connections.open(user);
    const connectionId = await connectionIdOf(client);
    const full = echoOf(DUPLICATED_QUESTION);
    const { question, replyId } = await askAndAwaitFirstChunk(client, 'twice', DUPLICATED_QUESTION);
    // The job as the message function hands it off (what Lambda would deliver again).
    const job = { userId: user, sessionId: 'twice', questionMessageId: question.messageId, replyMessageId: replyId, connectionId, audience: [connectionId] };

    // Act: the same job again while the answer streams, then the delivered event itself after it ended.
    const whileRunning = await invokeRespond(job);
    const streamingThen = (await historyOf(client, 'twice')).find((message) => message.messageId === replyId)?.status;
    const final = (await client.next(isFinalOf(replyId), 'the reply')).data;
    const delivered = await recorder.waitFor((record) => record.invocationType === 'Event' && respondRecordsOf(replyId).includes(record), 'the delivered event');
    const afterEnd = await invokeRespond(delivered.event);
    const stored = await historyOf(client, 'twice');

    // Assess
    expect(whileRunning).toEqual({ outcome: 'busy' });
    expect(streamingThen).toBe('streaming');
    expect(afterEnd).toEqual({ outcome: 'finished' });
    expect(delivered.outcome).toMatchObject({ ok: true, result: { outcome: 'ended', status: 'complete' } });
    expect(final).toMatchObject({ status: 'complete', message: full });
    expect(followChunks(client, replyId)).toMatchObject({ text: full, contiguous: true });
    expect(framesOf(client, isFinalOf(replyId))).toHaveLength(1);
    expect(chunksAfterFinal(client, replyId)).toBe(0);
    expect(stored.map((message) => [message.role, message.status, message.message])).toEqual([
      ['user', undefined, DUPLICATED_QUESTION],
      ['assistant', 'complete', full],
    ]);
  }, 60_000);
});
