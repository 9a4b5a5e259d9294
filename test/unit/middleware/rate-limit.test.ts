import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import middy from '@middy/core';
import { DynamoConnectionStore } from '../../../src/data/dynamo-connection-store.ts';
import { ForbiddenError, RateLimitedError } from '../../../src/domain/errors.ts';
import { rateLimit } from '../../../src/middleware/rate-limit.ts';
import { metrics } from '../../../src/observability/powertools.ts';
import { lambdaContext, newConnectionId, wsEvent } from '../../support/events.ts';
import { testDocumentClient, useTestTables } from '../../support/tables.ts';

const db = testDocumentClient();
let store: DynamoConnectionStore;
// Pinned, but close to the real time: DynamoDB Local runs TTL deletion, so rows must not be expired in real time.
const T0 = Math.floor(Date.now() / 1000) * 1000;
let nowMs = T0;
const clock = { nowMs: () => nowMs };

beforeAll(async () => {
  const tables = await useTestTables('rlmw');
  store = new DynamoConnectionStore(db, tables.connections, 600);
});
afterAll(() => db.destroy());

const chain = () =>
  middy(async () => ({ statusCode: 200 })).use(rateLimit({ connections: store, policy: { burst: 10, perSecond: 1 }, clock, metrics }) as any);

const register = async () => {
  const connectionId = newConnectionId();
  await store.register({ connectionId, userId: 'u', connectedAt: nowMs, lastSeenAt: nowMs, expiresAt: Math.floor(nowMs / 1000) + 600 });
  return connectionId;
};

const fire = async (connectionId: string, count: number) => {
  const results = await Promise.allSettled(Array.from({ length: count }, () => chain()(wsEvent({ connectionId, userId: 'u' }), lambdaContext())));
  return {
    admitted: results.filter((r) => r.status === 'fulfilled').length,
    refused: results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : [])),
  };
};

describe('rateLimit (token bucket on DynamoDB Local, clock pinned)', () => {
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

  it('refuses a frame from a connection with no live row, asking to close it', async () => {
    nowMs = T0;
    const { refused } = await fire('never-registered', 1);
    expect(refused[0]).toBeInstanceOf(ForbiddenError);
    expect(refused[0]).toMatchObject({ closeConnection: true });
  });
});
