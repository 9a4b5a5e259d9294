/**
 * The hand-off through the composed chains on DynamoDB Local: chat_message returns at the hand-off,
 * the respond function (run in process, as Lambda runs an Event invoke) streams the reply, history
 * shows it in progress, a cancel stops it, a session answers one question at a time, and a retry
 * after a crashed attempt ends the reply once.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ulid } from 'ulid';
import { eventually } from '#testkit/fake-bedrock-client.ts';
import { startRouteHarness } from '#testkit/route-harness.ts';
import { storedMessages } from '#testkit/stored-messages.ts';
import { registeredAgo, testDocumentClient } from '#testkit/tables.ts';
import { DynamoConnectionStore } from '../../src/data/dynamo-connection-store.ts';
import { DynamoReplyStore } from '../../src/data/dynamo-reply-store.ts';
import { connectionEndsAt, openRowExpiresAt } from '../../src/domain/connection-lifetime.ts';
import type { StoredChatMessage } from '../../src/domain/message-store.ts';

const db = testDocumentClient();
let harness: Awaited<ReturnType<typeof startRouteHarness>>;

beforeAll(async () => {
  harness = await startRouteHarness(
    'lifecycle',
    {
      RESPONDER: 'echo-stream',
      // 25 ms a word: a question of 40 words is answered in about a second.
      ECHO_STREAM_DELAY_MS: '25',
      REPLY_PERSIST_INTERVAL_MS: '100',
      REPLY_STALE_MS: '300',
      CANCEL_POLL_MS: '50',
      RATE_LIMIT_BURST: '100',
    },
    { waitForReplies: false },
  );
});
afterAll(async () => {
  await harness.invoker.idle();
  await harness.stop();
  db.destroy();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads the session's reply until `ready` holds for it (DynamoDB Local, every 20 ms, at most 5 s). */
const waitForStored = async (userId: string, sessionId: string, ready: (reply: StoredChatMessage | undefined) => boolean) => {
  for (let attempt = 0; attempt < 250; attempt += 1) {
    const reply = (await storedMessages(db, harness.tables.messages, userId, sessionId)).find((message) => message.role === 'assistant');
    if (ready(reply)) return reply;
    await sleep(20);
  }
  throw new Error(`The reply in ${sessionId} never reached the state the test waits for`);
};

const longQuestion = (words = 40) => Array.from({ length: words }, (_, index) => `word${index}`).join(' ');
const chat = (message: string, sessionId: string, clientMessageId?: string) => ({
  action: 'chat_message',
  data: { message, sessionId, ...(clientMessageId ? { clientMessageId } : {}) },
});
const framesOf = (connectionId: string, type: string) => harness.management.framesTo(connectionId).filter((frame) => frame.type === type);
const repliesTo = (connectionId: string) => framesOf(connectionId, 'chat_message').filter((frame) => frame.data.role === 'assistant');

describe('the hand-off to the respond function', () => {
  it('returns at the hand-off; history shows the answer streaming with its text so far, then complete; the chunks add up to it', async () => {
    const { connectionId } = await harness.connect('hana');
    await harness.send(connectionId, 'hana', chat(longQuestion(), 'handoff'));
    // The route has returned: the reply item exists, still streaming.
    const [, started] = await storedMessages(db, harness.tables.messages, 'hana', 'handoff');
    expect(started).toMatchObject({ role: 'assistant', status: 'streaming' });
    await eventually(() => framesOf(connectionId, 'chat_message_chunk').length >= 3, 'a few chunks');
    // The text so far is persisted (every REPLY_PERSIST_INTERVAL_MS): history has it while it streams.
    const midway = await waitForStored('hana', 'handoff', (reply) => reply?.status === 'streaming' && reply.message.length > 0);
    await harness.invoker.idle();
    const [final] = repliesTo(connectionId);
    expect(final?.data).toMatchObject({ messageId: started?.messageId, status: 'complete', message: `You said: ${longQuestion()}` });
    expect(final?.data.message.startsWith(midway?.message ?? '-')).toBe(true);
    expect(
      framesOf(connectionId, 'chat_message_chunk')
        .map((frame) => frame.data.delta)
        .join(''),
    ).toBe(final?.data.message);
  });

  it('stops an answer on cancel: cancel_result to the sender, the reply cancelled with its text so far on every connection, then finished', async () => {
    const phone = await harness.connect('cleo');
    const laptop = await harness.connect('cleo');
    await harness.send(phone.connectionId, 'cleo', chat(longQuestion(80), 'stop'));
    await eventually(() => framesOf(laptop.connectionId, 'chat_message_chunk').length >= 2, 'the answer under way');
    const messageId = framesOf(laptop.connectionId, 'chat_message_chunk')[0]?.data.messageId as string;
    await harness.send(laptop.connectionId, 'cleo', { action: 'cancel', data: { sessionId: 'stop', messageId } });
    expect(framesOf(laptop.connectionId, 'cancel_result').map((frame) => frame.data)).toEqual([{ sessionId: 'stop', messageId, outcome: 'cancelling' }]);
    await harness.invoker.idle();
    for (const connectionId of [phone.connectionId, laptop.connectionId]) {
      const frames = harness.management.framesTo(connectionId);
      const final = frames.findLast((frame) => frame.type === 'chat_message');
      expect(final?.data).toMatchObject({ messageId, status: 'cancelled' });
      expect(`You said: ${longQuestion(80)}`.startsWith(final?.data.message)).toBe(true);
      expect(final?.data.message.length).toBeLessThan(`You said: ${longQuestion(80)}`.length);
      // No chunk after the final frame, and the chunks are exactly the text kept.
      expect(frames.at(-1)?.type === 'cancel_result' ? frames.at(-2) : frames.at(-1)).toEqual(final);
      const chunks = frames.filter((frame) => frame.type === 'chat_message_chunk').map((frame) => frame.data.delta);
      expect(chunks.join('')).toBe(final?.data.message);
    }
    await harness.send(laptop.connectionId, 'cleo', { action: 'cancel', data: { sessionId: 'stop', messageId } });
    await harness.send(laptop.connectionId, 'cleo', { action: 'cancel', data: { sessionId: 'stop', messageId: ulid() } });
    expect(framesOf(laptop.connectionId, 'cancel_result').map((frame) => frame.data.outcome)).toEqual(['cancelling', 'finished', 'unknown']);
    expect(framesOf(laptop.connectionId, 'cancel_result')[1]?.data.status).toBe('cancelled');
  });

  it('answers one question at a time per session: another is refused with nothing stored, a resend is acknowledged, another session is answered', async () => {
    const { connectionId } = await harness.connect('olga');
    await harness.send(connectionId, 'olga', chat(longQuestion(), 'one', 'c-first'));
    await harness.send(connectionId, 'olga', chat('and another thing', 'one', 'c-second'));
    await harness.send(connectionId, 'olga', chat(longQuestion(), 'one', 'c-first'));
    await harness.send(connectionId, 'olga', chat('meanwhile', 'two'));
    expect(framesOf(connectionId, 'error').map((frame) => frame.error.code)).toEqual(['ANSWER_IN_PROGRESS']);
    await harness.invoker.idle();
    const one = await storedMessages(db, harness.tables.messages, 'olga', 'one');
    expect(one.map((message) => `${message.role}:${message.status ?? ''}`)).toEqual(['user:', 'assistant:complete']);
    expect((await storedMessages(db, harness.tables.messages, 'olga', 'two')).map((message) => message.message)).toEqual(['meanwhile', 'You said: meanwhile']);
    // The resend got the original question back, once, and no second reply.
    expect(framesOf(connectionId, 'chat_message').filter((frame) => frame.data.clientMessageId === 'c-first')).toHaveLength(2);
    // The turn is free again: the next question in the session is answered.
    await harness.send(connectionId, 'olga', chat('now?', 'one'));
    await harness.invoker.idle();
    expect((await storedMessages(db, harness.tables.messages, 'olga', 'one')).at(-1)).toMatchObject({ role: 'assistant', message: 'You said: now?' });
  });
});

describe('the connections of a user while an answer streams', () => {
  it('removes the row of a connection that answered 410 to a chunk, and closes one whose token ended meanwhile', async () => {
    const phone = await harness.connect('mona');
    const tablet = await harness.connect('mona');
    await harness.send(phone.connectionId, 'mona', chat(longQuestion(60), 'fleet'));
    await eventually(() => framesOf(tablet.connectionId, 'chat_message_chunk').length >= 1, 'the answer under way');
    // The tablet vanished without a $disconnect (its registration long enough ago to be trusted as gone)...
    await registeredAgo(db, harness.tables.connections, tablet.connectionId, 60_000);
    harness.management.disconnect(tablet.connectionId);
    // ...and a watch whose token has already expired is found at the next read of the user's connections.
    const connections = new DynamoConnectionStore(db, harness.tables.connections, 600);
    const nowMs = Date.now();
    await connections.register({
      connectionId: 'watch-ended=',
      userId: 'mona',
      connectedAt: nowMs - 60_000,
      lastSeenAt: nowMs,
      expiresAt: openRowExpiresAt(connectionEndsAt(nowMs - 60_000, Math.floor(nowMs / 1000) - 5), 600),
    });
    harness.management.connect('watch-ended=');
    await harness.invoker.idle();
    expect(repliesTo(phone.connectionId).map((frame) => frame.data.status)).toEqual(['complete']);
    const { live, ended } = await connections.listAudience('mona', Date.now());
    expect([...live, ...ended]).not.toContain(tablet.connectionId);
    expect(live).toContain(phone.connectionId);
    expect(harness.management.deletes()).toContain('watch-ended=');
    expect(harness.management.framesTo('watch-ended=')).toEqual([]);
  });
});

describe('a cancel frame through the frame chain', () => {
  it('from a connection whose token expired: FORBIDDEN, then the server closes it', async () => {
    const { connectionId } = await harness.connect('ezra');
    const expired = Math.floor(Date.now() / 1000) - 5;
    await harness.send(connectionId, 'ezra', { action: 'cancel', data: { sessionId: 's', messageId: ulid() } }, { tokenExpiresAt: expired });
    expect(framesOf(connectionId, 'error').map((frame) => frame.error.code)).toEqual(['FORBIDDEN']);
    expect(harness.management.deletes()).toContain(connectionId);
  });

  it('whose answer finds the connection gone (410): its row is removed', async () => {
    const { connectionId } = await harness.connect('gus');
    await registeredAgo(db, harness.tables.connections, connectionId, 60_000);
    harness.management.disconnect(connectionId);
    await harness.send(connectionId, 'gus', { action: 'cancel', data: { sessionId: 's', messageId: ulid() } });
    const { live, ended } = await new DynamoConnectionStore(db, harness.tables.connections, 600).listAudience('gus', Date.now());
    expect([...live, ...ended]).not.toContain(connectionId);
  });
});

describe('Lambda delivering a job again', () => {
  /** A reply whose first attempt began, persisted some text and stopped beating (its sandbox crashed). */
  const crashedReply = async (userId: string, connectionId: string) => {
    const replies = new DynamoReplyStore(db, harness.tables.messages, 30);
    const questionId = ulid();
    const reply = { messageId: ulid(), sessionId: 'crash', userId, role: 'assistant' as const, message: '', createdAt: new Date().toISOString(), replyTo: questionId };
    await replies.claimTurn(userId, 'crash', { replyMessageId: reply.messageId }, Date.now(), Date.now() + 60_000);
    await replies.startReply(reply);
    const key = { userId, sessionId: 'crash', messageId: reply.messageId };
    await replies.claimReply(key, Date.now(), 300);
    await replies.persistText(key, 'You said: hel', Date.now());
    const job = { userId, sessionId: 'crash', questionMessageId: questionId, replyMessageId: reply.messageId, connectionId, audience: [connectionId] };
    return { job, replies };
  };

  it('ends a reply its crashed attempt left streaming as failed, with the text persisted, once, and frees the turn', async () => {
    const { connectionId } = await harness.connect('ivan');
    const { job, replies } = await crashedReply('ivan', connectionId);
    // The retry comes after the stale time (REPLY_STALE_MS), as Lambda's comes a minute later.
    await sleep(400);
    await harness.invoker.handOff(job);
    await harness.invoker.handOff(job);
    await harness.invoker.idle();
    expect(repliesTo(connectionId).map((frame) => [frame.data.status, frame.data.message])).toEqual([['failed', 'You said: hel']]);
    expect(await replies.claimTurn('ivan', 'crash', { replyMessageId: 'next' }, Date.now(), Date.now() + 1_000)).toEqual({ claimed: true });
    expect(harness.invoker.failures).toEqual([]);
  });

  it('ends a crashed reply as cancelled when its user asked to stop it meanwhile', async () => {
    const { connectionId } = await harness.connect('carl');
    const { job, replies } = await crashedReply('carl', connectionId);
    expect(await replies.requestCancel({ userId: 'carl', sessionId: 'crash', messageId: job.replyMessageId })).toEqual({ outcome: 'cancelling' });
    await sleep(400);
    await harness.invoker.handOff(job);
    await harness.invoker.idle();
    expect(repliesTo(connectionId).map((frame) => [frame.data.status, frame.data.message])).toEqual([['cancelled', 'You said: hel']]);
  });

  it('does nothing for a second delivery while the first attempt still generates', async () => {
    const { connectionId } = await harness.connect('dora');
    await harness.send(connectionId, 'dora', chat(longQuestion(), 'twice'));
    const job = harness.invoker.jobs.at(-1);
    await eventually(() => framesOf(connectionId, 'chat_message_chunk').length >= 1, 'the first attempt under way');
    if (job) await harness.invoker.handOff(job);
    await harness.invoker.idle();
    const replies = repliesTo(connectionId);
    expect(replies.map((frame) => frame.data.status)).toEqual(['complete']);
    expect(
      framesOf(connectionId, 'chat_message_chunk')
        .map((frame) => frame.data.delta)
        .join(''),
    ).toBe(replies[0]?.data.message);
  });
});
