import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startRouteHarness } from '#testkit/route-harness.ts';
import { storedMessages } from '#testkit/stored-messages.ts';
import { testDocumentClient } from '#testkit/tables.ts';
import { bucketKey } from '../../src/data/gcra-bucket.ts';

let harness: Awaited<ReturnType<typeof startRouteHarness>>;
const db = testDocumentClient();

beforeAll(async () => {
  harness = await startRouteHarness('errors');
});
afterAll(async () => {
  await harness.stop();
  db.destroy();
});
beforeEach(() => harness.management.reset());

const chat = (data: unknown, extra: Record<string, unknown> = {}) => ({ action: 'chat_message', data, ...extra });

const VALIDATION_CASES: Array<[string, unknown, string]> = [
  ['a missing message', chat({ sessionId: 's' }), 'data.message'],
  ['a blank message', chat({ message: '   \n', sessionId: 's' }), 'data.message'],
  ['a message over 4000 characters', chat({ message: 'x'.repeat(4001), sessionId: 's' }), 'data.message'],
  ['a number as message', chat({ message: 123, sessionId: 's' }), 'data.message'],
  ['a missing sessionId', chat({ message: 'hi' }), 'data.sessionId'],
  ['a sessionId with a space', chat({ message: 'hi', sessionId: 'a b' }), 'data.sessionId'],
  ['a sessionId over 128 characters', chat({ message: 'hi', sessionId: 's'.repeat(129) }), 'data.sessionId'],
  ['a clientMessageId over 64 characters', chat({ message: 'hi', sessionId: 's', clientMessageId: 'c'.repeat(65) }), 'data.clientMessageId'],
  ['an extra data field', chat({ message: 'hi', sessionId: 's', userId: 'mallory' }), 'data.userId'],
  ['an extra top-level field', chat({ message: 'hi', sessionId: 's' }, { userId: 'mallory' }), 'userId'],
  ['a __proto__ key', JSON.parse('{"action":"chat_message","data":{"message":"hi","sessionId":"s","__proto__":{"x":1}}}'), 'data.__proto__'],
  ['data that is not an object', chat('hello'), 'data'],
  ['a history limit of 0', { action: 'history', data: { sessionId: 's', limit: 0 } }, 'data.limit'],
  ['a history limit of 101', { action: 'history', data: { sessionId: 's', limit: 101 } }, 'data.limit'],
  ['a history limit as text', { action: 'history', data: { sessionId: 's', limit: '10' } }, 'data.limit'],
  ['a history after that is not a messageId', { action: 'history', data: { sessionId: 's', after: 'yesterday' } }, 'data.after'],
  ['a ping with data', { action: 'ping', data: { x: 1 } }, 'data'],
];

describe('frames that are refused', () => {
  it.each(VALIDATION_CASES)('%s gets one VALIDATION_ERROR naming the field and writes nothing but its refusal count', async (name, frame, field) => {
    // Prepare: a user per case (the per-user connection cap is 5)
    const user = `vera-${name.replaceAll(' ', '-')}`;
    const { connectionId } = await harness.connect(user);
    const before = (await db.send(new GetCommand({ TableName: harness.tables.connections, Key: { connectionId } }))).Item;
    // Act
    await harness.send(connectionId, user, frame);
    // Assess
    const frames = harness.management.framesTo(connectionId);
    expect(frames).toHaveLength(1);
    expect(frames[0]).toMatchObject({ type: 'error', error: { code: 'VALIDATION_ERROR' } });
    expect(frames[0]?.error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(frames[0]?.error.message).toContain(field);
    const after = (await db.send(new GetCommand({ TableName: harness.tables.connections, Key: { connectionId } }))).Item;
    // The refusal is counted on the row (REFUSAL_LIMIT closes a flooder); nothing else changes, and the
    // user's frame bucket is untouched (validation runs before the rate limiter).
    expect(after).toEqual({ ...before, refusals: 1, refusalWindowEndsAt: expect.any(Number) });
    const bucket = await db.send(new GetCommand({ TableName: harness.tables.connections, Key: { connectionId: bucketKey('frames', user) } }));
    expect(bucket.Item).toBeUndefined();
    expect(await storedMessages(db, harness.tables.messages, user, 's')).toEqual([]);
  });

  it('answers a frame that is not JSON with BAD_REQUEST', async () => {
    const { connectionId } = await harness.connect('walt');
    await harness.send(connectionId, 'walt', 'hello there');
    expect(harness.management.framesTo(connectionId)).toEqual([
      { type: 'error', error: { code: 'BAD_REQUEST', message: 'Frame is not valid JSON' }, requestId: expect.any(String) },
    ]);
  });

  it('answers an unknown action with UNKNOWN_ACTION', async () => {
    const { connectionId } = await harness.connect('xena');
    await harness.send(connectionId, 'xena', { action: 'dance', data: {} });
    const [frame] = harness.management.framesTo(connectionId);
    expect(frame).toMatchObject({ type: 'error', error: { code: 'UNKNOWN_ACTION' } });
    expect(frame?.error.message).toContain('"dance"');
  });

  it('closes the connection when a frame arrives after the token expired', async () => {
    const { connectionId } = await harness.connect('yuri');
    await harness.send(connectionId, 'yuri', chat({ message: 'late', sessionId: 's' }), {
      tokenExpiresAt: Math.floor(Date.now() / 1000) - 1,
    });
    const [frame] = harness.management.framesTo(connectionId);
    expect(frame).toMatchObject({ type: 'error', error: { code: 'FORBIDDEN', message: expect.stringContaining('expired') } });
    expect(harness.management.deletes()).toEqual([connectionId]);
    expect(await storedMessages(db, harness.tables.messages, 'yuri', 's')).toEqual([]);
  });

  it('refuses a frame from a connection whose row is gone, and closes it', async () => {
    // (A row $disconnect has just marked closed still admits frames: connection-lifetime.test.ts.)
    const { connectionId } = await harness.connect('zoe');
    await db.send(new DeleteCommand({ TableName: harness.tables.connections, Key: { connectionId } }));
    await harness.send(connectionId, 'zoe', { action: 'ping' });
    const [frame] = harness.management.framesTo(connectionId);
    expect(frame).toMatchObject({ type: 'error', error: { code: 'FORBIDDEN' } });
    expect(harness.management.deletes()).toEqual([connectionId]);
  });
});
