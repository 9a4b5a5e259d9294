import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { lambdaContext, newConnectionId, wsEvent } from '#testkit/events.ts';
import { RecordingSender } from '#testkit/recording-sender.ts';
import { testDocumentClient, useTestTables } from '#testkit/tables.ts';
import { DynamoConnectionStore } from '../../../src/data/dynamo-connection-store.ts';
import { SenderPool } from '../../../src/delivery/management-api-sender.ts';
import { ForbiddenError, RateLimitedError } from '../../../src/domain/errors.ts';
import { authContext } from '../../../src/middleware/auth-context.ts';
import { deliveries } from '../../../src/middleware/deliveries.ts';
import { rateLimit } from '../../../src/middleware/rate-limit.ts';
import { RouteChain } from '../../../src/middleware/route-chain.ts';
import { metrics } from '../../../src/observability/powertools.ts';

const db = testDocumentClient();
let store: DynamoConnectionStore;
// Pinned, but close to the real time: DynamoDB Local runs TTL deletion, so rows must not be expired in real time.
const T0 = Math.floor(Date.now() / 1000) * 1000;
let nowMs = T0;
const clock = { nowMs: () => nowMs };

let table: string;

beforeAll(async () => {
  const tables = await useTestTables('rlmw');
  table = tables.connections;
  store = new DynamoConnectionStore(db, tables.connections, 600);
});
afterAll(() => db.destroy());

const chain = () =>
  RouteChain.start()
    .use(deliveries(new SenderPool('http://unused', () => new RecordingSender())))
    .use(authContext({ clock, metrics }))
    .use(rateLimit({ connections: store, policy: { burst: 10, perSecond: 1 }, clock, metrics }))
    .handle(async () => ({ statusCode: 200 }));

let users = 0;
const newUser = () => `rl-user-${++users}`;
const ownerOf = new Map<string, string>();

const register = async (userId = newUser()) => {
  const connectionId = newConnectionId();
  ownerOf.set(connectionId, userId);
  await store.register({ connectionId, userId, connectedAt: nowMs, lastSeenAt: nowMs, expiresAt: Math.floor(nowMs / 1000) + 600 });
  return connectionId;
};

const fire = async (connectionId: string, count: number) => {
  const userId = ownerOf.get(connectionId) ?? newUser();
  const results = await Promise.allSettled(Array.from({ length: count }, () => chain()(wsEvent({ connectionId, userId }), lambdaContext())));
  return {
    admitted: results.filter((r) => r.status === 'fulfilled').length,
    refused: results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : [])),
  };
};

describe('rateLimit (a token bucket per user on DynamoDB Local, clock pinned)', () => {
  it('admits exactly the burst out of 30 concurrent frames, then one more per second', async () => {
    nowMs = T0;
    const connectionId = await register();
    const burst = await fire(connectionId, 30);
    expect(burst.refused.filter((e) => !(e instanceof RateLimitedError)).map(String)).toEqual([]);
    expect(burst.admitted).toBe(10);
    expect(burst.refused).toHaveLength(20);
    for (const error of burst.refused) expect(error).toBeInstanceOf(RateLimitedError);
    expect(Math.min(...burst.refused.map((e: RateLimitedError) => e.retryAfterMs))).toBe(1000);

    nowMs = T0 + 999;
    expect((await fire(connectionId, 1)).admitted).toBe(0);
    nowMs = T0 + 1000;
    expect((await fire(connectionId, 3)).admitted).toBe(1);
  });

  it('refills to the full burst after an idle period, never beyond it', async () => {
    nowMs = T0;
    const connectionId = await register();
    await fire(connectionId, 10);
    nowMs = T0 + 60_000;
    expect((await fire(connectionId, 15)).admitted).toBe(10);
  });

  it('counts per user: a new connection of the same user starts with what the user has left, not a full bucket', async () => {
    nowMs = T0;
    const userId = newUser();
    const first = await register(userId);
    expect((await fire(first, 7)).admitted).toBe(7);
    // Reconnect: the old connection is gone, a new row is registered.
    await store.remove(first);
    const second = await register(userId);
    expect((await fire(second, 10)).admitted).toBe(3);
    // Another device of the same user, at the same moment, shares the same empty bucket.
    const third = await register(userId);
    const refused = await fire(third, 1);
    expect(refused.admitted).toBe(0);
    expect(refused.refused[0]).toBeInstanceOf(RateLimitedError);
  });

  it('admits exactly the burst of frames spread over many connections of one user at once', async () => {
    nowMs = T0;
    const userId = newUser();
    const devices = await Promise.all(Array.from({ length: 5 }, () => register(userId)));
    const results = await Promise.all(devices.map((connectionId) => fire(connectionId, 6)));
    expect(results.reduce((sum, result) => sum + result.admitted, 0)).toBe(10);
    for (const error of results.flatMap((result) => result.refused)) expect(error).toBeInstanceOf(RateLimitedError);
  });

  it("a frame over the limit still stamps its connection's lastSeenAt, and no frame moves the row's lifetime", async () => {
    nowMs = T0;
    const connectionId = await register();
    await fire(connectionId, 10);
    nowMs = T0 + 500;
    expect((await fire(connectionId, 1)).admitted).toBe(0);
    const row = (await db.send(new GetCommand({ TableName: table, Key: { connectionId } }))).Item;
    // expiresAt stays where registration put it (src/domain/connection-lifetime.ts).
    expect(row).toMatchObject({ lastSeenAt: T0 + 500, expiresAt: Math.floor(T0 / 1000) + 600 });
  });

  it('refuses a frame from a connection with no live row, asking to close it', async () => {
    nowMs = T0;
    const { refused } = await fire('never-registered', 1);
    expect(refused[0]).toBeInstanceOf(ForbiddenError);
    expect(refused[0]).toMatchObject({ closeConnection: true });
  });
});
