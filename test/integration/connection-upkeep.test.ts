/**
 * The connection upkeep every message-route function shares (the stale-connections and error-frames
 * middleware), exercised through each function: a frame after the token expired closes the
 * connection (DELETE @connections), and a sender whose connection answers 410 loses its row
 * (DeleteItem). Each function is granted these calls, so each must be seen making them.
 */

import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startRouteHarness } from '#testkit/route-harness.ts';
import { registeredAgo, testDocumentClient } from '#testkit/tables.ts';

let harness: Awaited<ReturnType<typeof startRouteHarness>>;
const db = testDocumentClient();

beforeAll(async () => {
  harness = await startRouteHarness('upkeep', { RATE_LIMIT_BURST: '1000' });
});
afterAll(async () => {
  await harness.stop();
  db.destroy();
});

/** One frame per message-route function, as the harness routes it. */
const FRAMES = [
  ['message', { action: 'chat_message', data: { message: 'hi', sessionId: 'upkeep' } }],
  ['ping', { action: 'ping' }],
  ['history', { action: 'history', data: { sessionId: 'upkeep' } }],
  ['default', { action: 'dance' }],
] as const;

const rowOf = async (connectionId: string) => (await db.send(new GetCommand({ TableName: harness.tables.connections, Key: { connectionId }, ConsistentRead: true }))).Item;

describe.each(FRAMES)('the %s function', (name, frame) => {
  it('closes the connection when a frame arrives after the token expired', async () => {
    // Prepare
    const user = `${name}-late`;
    const { connectionId } = await harness.connect(user);

    // Act
    await harness.send(connectionId, user, frame, { tokenExpiresAt: Math.floor(Date.now() / 1000) - 1 });

    // Assess
    expect(harness.management.framesTo(connectionId)).toEqual([expect.objectContaining({ type: 'error', error: expect.objectContaining({ code: 'FORBIDDEN' }) })]);
    expect(harness.management.deletes()).toContain(connectionId);
  });

  it('removes the row of a sender whose connection answers 410 (gone since it sent)', async () => {
    // Prepare: registered a minute ago, so a 410 means gone, not still inside $connect
    const user = `${name}-gone`;
    const { connectionId } = await harness.connect(user);
    await registeredAgo(db, harness.tables.connections, connectionId, 60_000);
    harness.management.disconnect(connectionId);

    // Act
    const response = await harness.send(connectionId, user, frame);

    // Assess
    expect(response).toEqual({ statusCode: 200 });
    expect(await rowOf(connectionId)).toBeUndefined();
  });
});
