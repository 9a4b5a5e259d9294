/**
 * A connection that keeps sending refused frames is closed: through the real message, ping and
 * $default handlers on DynamoDB Local and a loopback @connections API, and the refusal count itself
 * through the store with a pinned clock.
 */

import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { newConnectionId } from '#testkit/events.ts';
import { metricIn, outputMark } from '#testkit/output.ts';
import { startRouteHarness } from '#testkit/route-harness.ts';
import { testDocumentClient } from '#testkit/tables.ts';
import { DynamoConnectionStore } from '../../src/data/dynamo-connection-store.ts';

const LIMIT = 5;

let harness: Awaited<ReturnType<typeof startRouteHarness>>;
let store: DynamoConnectionStore;
const db = testDocumentClient();

beforeAll(async () => {
  // Burst 10 that never refills during the run, so over-limit frames are exact.
  harness = await startRouteHarness('refuse', {
    REFUSAL_LIMIT: String(LIMIT),
    REFUSAL_WINDOW_SECONDS: '60',
    RATE_LIMIT_BURST: '10',
    RATE_LIMIT_PER_SECOND: '0.001',
  });
  store = new DynamoConnectionStore(db, harness.tables.connections, 600);
});
afterAll(async () => {
  await harness.stop();
  db.destroy();
});

const rowOf = async (connectionId: string) => (await db.send(new GetCommand({ TableName: harness.tables.connections, Key: { connectionId } }))).Item;

/** The management API calls made for one connection, in order: POST carries the error code, DELETE is the close. */
const callsTo = (connectionId: string) =>
  harness.management.calls
    .filter((call) => call.connectionId === connectionId)
    .map((call) => (call.method === 'DELETE' ? 'close' : ((JSON.parse(call.body) as { error?: { code: string }; type: string }).error?.code ?? 'ok')));

let users = 0;
const newUser = () => `refuser-${++users}`;

describe('closing a connection that keeps sending refused frames', () => {
  it(`closes it after the ${LIMIT}th refusal (invalid, unknown action, not JSON), after its error frame, once`, async () => {
    // Prepare
    const mark = outputMark();
    const userId = newUser();
    const { connectionId } = await harness.connect(userId);
    const bad = [
      { action: 'chat_message', data: { message: '', sessionId: 's' } },
      { action: 'dance' },
      'not json',
      { action: 'ping', data: { extra: 1 } },
      { action: 'history', data: {} },
    ];
    // Act
    for (const frame of bad.slice(0, LIMIT - 1)) await harness.send(connectionId, userId, frame);
    const before = callsTo(connectionId);
    await harness.send(connectionId, userId, bad[LIMIT - 1]);
    // Assess
    expect(before).toEqual(['VALIDATION_ERROR', 'UNKNOWN_ACTION', 'BAD_REQUEST', 'VALIDATION_ERROR']);
    expect(callsTo(connectionId)).toEqual([...before, 'VALIDATION_ERROR', 'close']);
    expect(metricIn(mark, 'ConnectionClosedForRefusals')).toBe(1);
    expect(await rowOf(connectionId)).toMatchObject({ refusals: LIMIT });
  });

  it('counts frames refused over the rate limit too', async () => {
    const userId = newUser();
    const { connectionId } = await harness.connect(userId);
    await Promise.all(Array.from({ length: 10 + LIMIT }, () => harness.send(connectionId, userId, { action: 'ping' })));
    const calls = callsTo(connectionId);
    expect(calls.filter((call) => call === 'RATE_LIMITED')).toHaveLength(LIMIT);
    expect(calls.filter((call) => call === 'close')).toHaveLength(1);
  });

  it('counts per connection and writes nothing for valid frames', async () => {
    const userId = newUser();
    const noisy = await harness.connect(userId);
    const quiet = await harness.connect(userId);
    for (let i = 0; i < LIMIT - 1; i += 1) await harness.send(noisy.connectionId, userId, { action: 'dance' });
    await harness.send(quiet.connectionId, userId, { action: 'dance' });
    await harness.send(quiet.connectionId, userId, { action: 'ping' });
    expect(harness.management.deletes()).not.toContain(noisy.connectionId);
    expect(harness.management.deletes()).not.toContain(quiet.connectionId);
    expect(await rowOf(quiet.connectionId)).toMatchObject({ refusals: 1 });

    const valid = await harness.connect(newUser());
    const untouched = await rowOf(valid.connectionId);
    await harness.send(valid.connectionId, String(untouched?.userId), { action: 'history', data: { sessionId: 's' } });
    const after = await rowOf(valid.connectionId);
    expect(after).not.toHaveProperty('refusals');
    expect(after).not.toHaveProperty('refusalWindowEndsAt');
  });
});

describe('the refusal count (store, clock pinned)', () => {
  const T0 = Math.floor(Date.now() / 1000) * 1000;

  const register = async () => {
    const connectionId = newConnectionId();
    await store.register({ connectionId, userId: newUser(), connectedAt: T0, lastSeenAt: T0, expiresAt: T0 / 1000 + 600 });
    return connectionId;
  };

  it('is exact under concurrency: 30 simultaneous refusals count 1 to 30', async () => {
    const connectionId = await register();
    const counts = await Promise.all(Array.from({ length: 30 }, () => store.countRefusal(connectionId, T0, 60)));
    expect([...counts].sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  it('starts a new window once the window has passed', async () => {
    const connectionId = await register();
    expect(await store.countRefusal(connectionId, T0, 60)).toBe(1);
    expect(await store.countRefusal(connectionId, T0 + 59_999, 60)).toBe(2);
    expect(await store.countRefusal(connectionId, T0 + 60_000, 60)).toBe(1);
    expect(await store.countRefusal(connectionId, T0 + 61_000, 60)).toBe(2);
  });

  it('creates nothing for a connection that has no row', async () => {
    const connectionId = newConnectionId();
    expect(await store.countRefusal(connectionId, T0, 60)).toBeUndefined();
    expect(await rowOf(connectionId)).toBeUndefined();
  });
});
