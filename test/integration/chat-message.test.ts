import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { newConnectionId } from '#testkit/events.ts';
import { startRouteHarness } from '#testkit/route-harness.ts';
import { registeredAgo, testDocumentClient } from '#testkit/tables.ts';

const SEED = { action: 'chat_message', data: { message: 'Hello', sessionId: 'test-session' } };

let harness: Awaited<ReturnType<typeof startRouteHarness>>;
const db = testDocumentClient();

beforeAll(async () => {
  harness = await startRouteHarness('chat');
});
afterAll(async () => {
  await harness.stop();
  db.destroy();
});
beforeEach(() => harness.management.reset());

describe('chat_message', () => {
  it('answers the seed frame with the user message and then the assistant reply', async () => {
    // Prepare
    const { connectionId } = await harness.connect('alice');
    // Act
    await harness.send(connectionId, 'alice', SEED);
    // Assess
    const frames = harness.management.framesTo(connectionId);
    expect(frames).toHaveLength(2);
    const [question, reply] = frames;
    expect(question).toMatchObject({
      type: 'chat_message',
      data: { sessionId: 'test-session', userId: 'alice', role: 'user', message: 'Hello' },
    });
    expect(reply).toMatchObject({ type: 'chat_message', data: { role: 'assistant', message: 'You said: Hello', userId: 'alice' } });
    expect(question?.data.messageId < reply?.data.messageId).toBe(true);
    expect(Number.isNaN(Date.parse(question?.data.createdAt))).toBe(false);
  });

  it('delivers to every live connection of the user, the sender included', async () => {
    const first = await harness.connect('bella');
    const second = await harness.connect('bella');
    await harness.send(first.connectionId, 'bella', SEED);
    for (const id of [first.connectionId, second.connectionId]) {
      expect(harness.management.framesTo(id).map((frame) => frame.data.role)).toEqual(['user', 'assistant']);
    }
  });

  it('sends nothing to a row whose expiresAt has passed, even before TTL deletes it', async () => {
    const live = await harness.connect('carol');
    const idle = newConnectionId();
    await db.send(
      new PutCommand({
        TableName: harness.tables.connections,
        Item: { connectionId: idle, userId: 'carol', connectedAt: 0, lastSeenAt: 0, expiresAt: Math.floor(Date.now() / 1000) - 5 },
      }),
    );
    harness.management.connect(idle);
    await harness.send(live.connectionId, 'carol', SEED);
    expect(harness.management.framesTo(live.connectionId)).toHaveLength(2);
    expect(harness.management.calls.filter((call) => call.connectionId === idle)).toEqual([]);
  });

  it('keeps users apart: the same sessionId of two users are two sessions', async () => {
    const alice = await harness.connect('dana');
    const bob = await harness.connect('eric');
    await harness.send(alice.connectionId, 'dana', { action: 'chat_message', data: { message: 'secret', sessionId: 'shared' } });
    expect(harness.management.framesTo(bob.connectionId)).toEqual([]);
    await harness.send(bob.connectionId, 'eric', { action: 'history', data: { sessionId: 'shared' } });
    const [history] = harness.management.framesTo(bob.connectionId);
    expect(history).toEqual({ type: 'history', data: { sessionId: 'shared', messages: [], hasMore: false } });
  });

  it('stores and answers a resent clientMessageId once; the resend gets the original messageId', async () => {
    const { connectionId } = await harness.connect('fay');
    const frame = { action: 'chat_message', data: { message: 'once', sessionId: 's1', clientMessageId: 'client-1' } };
    await harness.send(connectionId, 'fay', frame);
    const [original] = harness.management.framesTo(connectionId);
    harness.management.calls.length = 0;

    await harness.send(connectionId, 'fay', frame);

    const resendFrames = harness.management.framesTo(connectionId);
    expect(resendFrames).toEqual([original]);
    expect(original?.data.clientMessageId).toBe('client-1');
    await harness.send(connectionId, 'fay', { action: 'history', data: { sessionId: 's1' } });
    const history = harness.management.framesTo(connectionId).at(-1);
    expect(history?.data.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant']);
  });

  const rowOf = async (connectionId: string) => (await db.send(new GetCommand({ TableName: harness.tables.connections, Key: { connectionId } }))).Item;
  const backdate = (connectionId: string, ms: number) => registeredAgo(db, harness.tables.connections, connectionId, ms);

  it('removes the connection that answered 410, not the sender, and still delivers to the others', async () => {
    const sender = await harness.connect('gail');
    const stale = await harness.connect('gail');
    const other = await harness.connect('gail');
    await backdate(stale.connectionId, 60_000);
    harness.management.disconnect(stale.connectionId);

    await harness.send(sender.connectionId, 'gail', SEED);

    expect(harness.management.framesTo(other.connectionId)).toHaveLength(2);
    expect(harness.management.framesTo(sender.connectionId)).toHaveLength(2);
    expect(await rowOf(stale.connectionId)).toBeUndefined();
    expect(await rowOf(sender.connectionId)).toBeDefined();
    expect(await rowOf(other.connectionId)).toBeDefined();
    // The stale connection was tried once, then skipped for the reply.
    expect(harness.management.calls.filter((call) => call.connectionId === stale.connectionId)).toHaveLength(1);
  });

  it('keeps the row of a connection that answered 410 within 30 s of registering: API Gateway answers 410 while it is still inside $connect', async () => {
    const sender = await harness.connect('gwen');
    const opening = await harness.connect('gwen');
    await backdate(opening.connectionId, 20_000);
    harness.management.disconnect(opening.connectionId);

    await harness.send(sender.connectionId, 'gwen', SEED);

    expect(harness.management.framesTo(sender.connectionId)).toHaveLength(2);
    expect(await rowOf(opening.connectionId)).toBeDefined();
  });
});
