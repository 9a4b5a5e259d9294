/**
 * The per-user connection cap (slot items taken with conditional writes) and the per-user connect
 * rate, through the real $connect/$disconnect handlers on DynamoDB Local, and the slots' expiry with
 * a pinned clock through the store.
 */

import { GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { lambdaContext, newConnectionId, wsEvent } from '#testkit/events.ts';
import { metricIn, outputMark } from '#testkit/output.ts';
import { startRouteHarness } from '#testkit/route-harness.ts';
import { testDocumentClient } from '#testkit/tables.ts';
import { slotKey } from '../../src/data/connection-slots.ts';
import { DynamoConnectionStore } from '../../src/data/dynamo-connection-store.ts';
import { openRowExpiresAt, rowLingerSeconds } from '../../src/domain/connection-lifetime.ts';

const CAP = 5;
const RACERS = 15;
const ROUNDS = 20;
/** Connects a user may open at once; refilled at one per 1000 s, so nothing comes back during a test. */
const CONNECT_BURST = 16;

let harness: Awaited<ReturnType<typeof startRouteHarness>>;
let store: DynamoConnectionStore;
const db = testDocumentClient();

beforeAll(async () => {
  harness = await startRouteHarness('cap', {
    MAX_CONNECTIONS_PER_USER: String(CAP),
    CONNECT_RATE_BURST: String(CONNECT_BURST),
    CONNECT_RATE_PER_SECOND: '0.001',
  });
  store = new DynamoConnectionStore(db, harness.tables.connections, 600);
});
afterAll(async () => {
  await harness.stop();
  db.destroy();
});

const itemOf = async (key: string) => (await db.send(new GetCommand({ TableName: harness.tables.connections, Key: { connectionId: key } }))).Item;

/** The user's connection rows, read strongly consistent from the table (not the index). */
const rowsOf = async (userId: string) =>
  (
    await db.send(
      new ScanCommand({
        TableName: harness.tables.connections,
        ConsistentRead: true,
        FilterExpression: 'userId = :userId',
        ExpressionAttributeValues: { ':userId': userId },
      }),
    )
  ).Items ?? [];

const disconnect = (connectionId: string) => harness.handlers.disconnect(wsEvent({ connectionId, routeKey: '$disconnect' }), lambdaContext('test-websocket-disconnect'));

let users = 0;
const newUser = (name: string) => `${name}-${++users}`;

describe('the per-user connection cap', () => {
  it(`leaves exactly ${CAP} connections when ${RACERS} connects race, in each of ${ROUNDS} rounds`, async () => {
    const mark = outputMark();
    for (let round = 0; round < ROUNDS; round += 1) {
      // Act
      const userId = newUser('racer');
      const attempts = await Promise.all(Array.from({ length: RACERS }, () => harness.connect(userId)));
      // Assess
      const statuses = attempts.map((attempt) => attempt.response.statusCode);
      expect({ round, admitted: statuses.filter((status) => status === 200).length }).toEqual({ round, admitted: CAP });
      expect(statuses.filter((status) => status !== 200 && status !== 429)).toEqual([]);
      const rows = await rowsOf(userId);
      expect(rows.map((row) => row.connectionId).sort()).toEqual(
        attempts
          .filter((attempt) => attempt.response.statusCode === 200)
          .map((attempt) => attempt.connectionId)
          .sort(),
      );
      // Each connection holds its own slot.
      expect(new Set(rows.map((row) => row.slotKey)).size).toBe(CAP);
    }
    // A connect that is refused is counted as refused only, never as opened.
    expect(metricIn(mark, 'ConnectionOpened')).toBe(CAP * ROUNDS);
    expect(metricIn(mark, 'ConnectionRefused')).toBe((RACERS - CAP) * ROUNDS);
  }, 300_000);

  it('frees the slot at $disconnect: the next connect gets it, and a refused one writes nothing', async () => {
    const userId = newUser('dora');
    const open = [];
    for (let i = 0; i < CAP; i += 1) open.push(await harness.connect(userId));
    const refused = await harness.connect(userId);
    expect(refused.response.statusCode).toBe(429);
    expect(refused.response.body).toContain(`at most ${CAP}`);
    expect(await itemOf(refused.connectionId)).toBeUndefined();

    const leaving = open[2] as { connectionId: string };
    const slot = (await itemOf(leaving.connectionId))?.slotKey as string;
    await disconnect(leaving.connectionId);
    expect(await itemOf(slot)).toBeUndefined();

    const next = await harness.connect(userId);
    expect(next.response.statusCode).toBe(200);
    expect((await itemOf(next.connectionId))?.slotKey).toBe(slot);
    expect(await itemOf(slot)).toMatchObject({ owner: next.connectionId });
  });

  it('keeps its slot items out of the userId index: recipients are only connections', async () => {
    const userId = newUser('ivy');
    const { connectionId } = await harness.connect(userId);
    expect(await store.listLive(userId, Date.now())).toEqual([connectionId]);
  });

  it('refuses a connect flood with 429 at the handshake, however the connections come and go', async () => {
    const userId = newUser('flo');
    for (let i = 0; i < CONNECT_BURST; i += 1) {
      const { connectionId, response } = await harness.connect(userId);
      expect(response.statusCode).toBe(200);
      await disconnect(connectionId);
    }
    const { connectionId, response } = await harness.connect(userId);
    expect(response.statusCode).toBe(429);
    expect(response.body).toContain('Too many connection attempts');
    expect(Number(response.headers?.['Retry-After'])).toBeGreaterThan(0);
    expect(await itemOf(connectionId)).toBeUndefined();
    // Per user: another user connects.
    expect((await harness.connect(newUser('other'))).response.statusCode).toBe(200);
  }, 120_000);
});

describe('dead slots never lock a user out (store, clock pinned)', () => {
  // Pinned close to the real time: DynamoDB Local runs TTL deletion on real time.
  const T0 = Math.floor(Date.now() / 1000) * 1000;
  const T0_SECONDS = T0 / 1000;
  const rate = { burst: 1000, perSecond: 1 };

  const admit = (userId: string, nowMs: number, slotExpiresAt = T0_SECONDS + 7200, connectionId = newConnectionId()) =>
    store.admitConnect({ userId, connectionId, nowMs, connectRate: rate, maxConnections: CAP, slotExpiresAt }).then((admission) => ({ connectionId, admission }));

  /** `expiresAt` of an open row whose connection ends at `endsAt` (src/domain/connection-lifetime.ts). */
  const endedAt = (endsAt: number) => openRowExpiresAt(endsAt, rowLingerSeconds(600));

  /** Fills every slot at T0 with connections whose rows expire at `rowExpiresAt`. */
  const fill = async (userId: string, rowExpiresAt: number, slotExpiresAt?: number) => {
    for (let i = 0; i < CAP; i += 1) {
      const { connectionId, admission } = await admit(userId, T0, slotExpiresAt);
      if (admission.outcome !== 'admitted') throw new Error(`slot ${i}: ${admission.outcome}`);
      await store.register({ connectionId, userId, connectedAt: T0, lastSeenAt: T0, expiresAt: rowExpiresAt, slotKey: admission.slotKey });
    }
  };

  it('reuses a slot whose expiry has passed although its connection row still looks live', async () => {
    const userId = newUser('exp');
    await fill(userId, T0_SECONDS + 36_000, T0_SECONDS + 60);
    expect((await admit(userId, T0 + 59_000)).admission).toEqual({ outcome: 'full' });
    const late = await admit(userId, T0 + 60_000);
    expect(late.admission).toMatchObject({ outcome: 'admitted' });
    expect(await itemOf((late.admission as { slotKey: string }).slotKey)).toMatchObject({ owner: late.connectionId });
  });

  it('takes over a slot whose connection row is past its end (a gateway that died without $disconnect)', async () => {
    const userId = newUser('idle');
    await fill(userId, endedAt(T0_SECONDS + 600));
    expect((await admit(userId, T0 + 599_000)).admission).toEqual({ outcome: 'full' });
    const results = await Promise.all(Array.from({ length: CAP + 3 }, () => admit(userId, T0 + 600_000)));
    // Every dead slot is taken over exactly once.
    const taken = results.filter((result) => result.admission.outcome === 'admitted');
    expect(taken).toHaveLength(CAP);
    expect(new Set(taken.map((result) => (result.admission as { slotKey: string }).slotKey))).toEqual(new Set(Array.from({ length: CAP }, (_, i) => slotKey(userId, i))));
  });

  it('takes over a slot whose connection $disconnect has closed, at once', async () => {
    const userId = newUser('closed');
    await fill(userId, endedAt(T0_SECONDS + 7200));
    const [holder] = (await rowsOf(userId)).map((row) => String(row.connectionId));
    // markDisconnected frees the slot itself; a slot whose release failed is still taken over for its closed row.
    await db.send(
      new UpdateCommand({
        TableName: harness.tables.connections,
        Key: { connectionId: holder },
        UpdateExpression: 'SET disconnectedAt = :t',
        ExpressionAttributeValues: { ':t': T0 },
      }),
    );
    const next = await admit(userId, T0 + 1_000);
    expect(next.admission).toMatchObject({ outcome: 'admitted' });
    expect(await itemOf((next.admission as { slotKey: string }).slotKey)).toMatchObject({ owner: next.connectionId });
  });

  it('frees the slot when $disconnect marks the row closed', async () => {
    const userId = newUser('mark');
    await fill(userId, endedAt(T0_SECONDS + 7200));
    const holder = (await rowsOf(userId))[0];
    await store.markDisconnected(String(holder?.connectionId), T0 + 1_000);
    expect(await itemOf(String(holder?.slotKey))).toBeUndefined();
  });

  it('takes over a slot whose connection row is missing only after a $connect could have written it', async () => {
    const userId = newUser('gone');
    for (let i = 0; i < CAP; i += 1) expect((await admit(userId, T0)).admission).toMatchObject({ outcome: 'admitted' });
    // No rows were registered: those connects may still be inside $connect for 30 s.
    expect((await admit(userId, T0 + 29_000)).admission).toEqual({ outcome: 'full' });
    expect((await admit(userId, T0 + 31_000)).admission).toMatchObject({ outcome: 'admitted' });
  });

  it("a slot taken over is not freed by its dead holder's late removal", async () => {
    const userId = newUser('late');
    await fill(userId, endedAt(T0_SECONDS + 600));
    const heir = await admit(userId, T0 + 600_000);
    expect(heir.admission).toMatchObject({ outcome: 'admitted' });
    const heirSlot = (heir.admission as { slotKey: string }).slotKey;
    const deadHolder = (await rowsOf(userId)).find((row) => row.slotKey === heirSlot);
    expect(deadHolder).toBeDefined();
    await store.remove(String(deadHolder?.connectionId));
    expect(await itemOf(heirSlot)).toMatchObject({ owner: heir.connectionId });
  });
});
