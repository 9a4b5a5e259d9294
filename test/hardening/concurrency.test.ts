/**
 * Concurrency on DynamoDB Local: a flood of simultaneous frames on one connection, the GCRA window edge
 * with a pinned clock, and simultaneous connects of one user against the per-user cap (slots).
 */

import { Agent } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RecordingSender } from '#testkit/recording-sender.ts';
import { startRouteHarness } from '#testkit/route-harness.ts';
import { storedConnectionIds, storedMessages } from '#testkit/stored-messages.ts';
import { testDocumentClient } from '#testkit/tables.ts';
import { createDocumentClient } from '../../src/data/dynamo-client.ts';
import { SenderPool } from '../../src/delivery/management-api-sender.ts';
import { buildRoutes } from './support/routes.ts';

/** Burst 10 and one token per 1000 s: no token comes back while a test runs. */
const BURST = 10;
const FLOOD = 200;
const CAP = 5;
const SIMULTANEOUS_CONNECTS = 10;

let harness: Awaited<ReturnType<typeof startRouteHarness>>;
const db = testDocumentClient();
const client = createDocumentClient();

beforeAll(async () => {
  harness = await startRouteHarness('concur', {
    RATE_LIMIT_BURST: String(BURST),
    RATE_LIMIT_PER_SECOND: '0.001',
    MAX_CONNECTIONS_PER_USER: String(CAP),
    // The floods here count RATE_LIMITED frames; closing the flooder is refusal-limit.test.ts's.
    REFUSAL_LIMIT: '100000',
  });
});
afterAll(async () => {
  await harness.stop();
  client.destroy();
  db.destroy();
});

describe('a flood of simultaneous frames on one connection', () => {
  it(`admits exactly the burst (${BURST}) of ${FLOOD} concurrent frames; every other one gets RATE_LIMITED`, async () => {
    // Prepare: the ping chain on a client whose socket pool queues instead of timing out (one Lambda
    // sandbox never has 200 calls in flight; here one process stands in for 200 sandboxes)
    const flood = DynamoDBDocumentClient.from(
      new DynamoDBClient({ maxAttempts: 4, requestHandler: { requestTimeout: 20_000, httpAgent: new Agent({ keepAlive: true, maxSockets: 50 }) } }),
    );
    const sender = new RecordingSender();
    const routes = buildRoutes({
      client: flood,
      tables: harness.tables,
      managementEndpoint: harness.management.endpoint,
      senders: new SenderPool(harness.management.endpoint, () => sender),
      rateLimit: { burst: BURST, perSecond: 0.001 },
    });
    const { connectionId } = await routes.connect('flo');
    // Act
    const responses = await Promise.all(Array.from({ length: FLOOD }, () => routes.send('ping', connectionId, 'flo', { action: 'ping' })));
    flood.destroy();
    // Assess
    expect(responses.filter((response) => response.statusCode !== 200)).toEqual([]);
    const frames = sender.posts.map((post) => post.frame as Record<string, any>);
    expect(frames).toHaveLength(FLOOD);
    expect(frames.filter((frame) => frame.type === 'pong')).toHaveLength(BURST);
    const errors = frames.filter((frame) => frame.type === 'error');
    expect(errors.map((frame) => frame.error.code)).toEqual(Array(FLOOD - BURST).fill('RATE_LIMITED'));
    for (const frame of errors) expect(frame.error.retryAfterMs).toBeGreaterThan(0);
  });

  it('admits exactly the burst of 30 concurrent chat messages through the real handler, and stores only those', async () => {
    const { connectionId } = await harness.connect('chatflo');
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        // A session each: a session answers one question at a time, and this test is about the rate limit.
        harness.send(connectionId, 'chatflo', { action: 'chat_message', data: { message: `m${index}`, sessionId: `flood-${index}`, clientMessageId: `c${index}` } }),
      ),
    );
    expect(responses.filter((response) => response.statusCode !== 200)).toEqual([]);
    const frames = harness.management.framesTo(connectionId);
    expect(frames.filter((frame) => frame.type === 'error').map((frame) => frame.error.code)).toEqual(Array(30 - BURST).fill('RATE_LIMITED'));
    expect(frames.filter((frame) => frame.data?.role === 'assistant')).toHaveLength(BURST);
    const sessions = await Promise.all(Array.from({ length: 30 }, (_, index) => storedMessages(db, harness.tables.messages, 'chatflo', `flood-${index}`)));
    expect(sessions.flat()).toHaveLength(2 * BURST);
  });
});

describe('the rate limiter at the window edge (GCRA: one token per 1/RATE_LIMIT_PER_SECOND s)', () => {
  it('admits the burst, then one frame per interval exactly on the edge, and never more than the burst after idling', async () => {
    // Prepare: burst 10, 1 frame/s, and a clock the test moves
    let now = Date.now();
    const routes = buildRoutes({
      client,
      tables: harness.tables,
      managementEndpoint: harness.management.endpoint,
      clock: { nowMs: () => now },
      rateLimit: { burst: BURST, perSecond: 1 },
    });
    const t0 = now;
    const { connectionId } = await routes.connect('gcra');
    harness.management.connect(connectionId);
    const rowOf = async () => (await db.send(new GetCommand({ TableName: harness.tables.connections, Key: { connectionId }, ConsistentRead: true }))).Item;
    const lifetime = (await rowOf())?.expiresAt;
    const ping = async () => {
      const seen = harness.management.framesTo(connectionId).length;
      await routes.send('ping', connectionId, 'gcra', { action: 'ping' });
      const [frame] = harness.management.framesTo(connectionId).slice(seen);
      return frame?.type === 'pong' ? 'admitted' : `${frame?.error?.code} ${frame?.error?.retryAfterMs}`;
    };
    const pings = async (count: number) => {
      const outcomes: string[] = [];
      for (let index = 0; index < count; index += 1) outcomes.push(await ping());
      return outcomes;
    };

    // Act + Assess
    expect(await pings(BURST + 1)).toEqual([...Array(BURST).fill('admitted'), 'RATE_LIMITED 1000']);
    now = t0 + 999;
    expect(await ping()).toBe('RATE_LIMITED 1');
    now = t0 + 1000;
    expect(await pings(2)).toEqual(['admitted', 'RATE_LIMITED 1000']);
    now = t0 + 2500;
    expect(await pings(3)).toEqual(['admitted', 'RATE_LIMITED 500', 'RATE_LIMITED 500']);
    now = t0 + 60_000;
    expect(await pings(BURST + 1)).toEqual([...Array(BURST).fill('admitted'), 'RATE_LIMITED 1000']);
    // The bucket's writes leave the row's lifetime where $connect set it (src/domain/connection-lifetime.ts).
    expect((await rowOf())?.expiresAt).toBe(lifetime);
  });
});

describe(`${SIMULTANEOUS_CONNECTS} simultaneous connects of one user with a cap of ${CAP}`, () => {
  it('one at a time, the cap is exact: the connect after the cap-th is refused with 429', async () => {
    const statuses: number[] = [];
    for (let index = 0; index <= CAP; index += 1) statuses.push((await harness.connect('one-by-one')).response.statusCode);
    expect(statuses).toEqual([...Array(CAP).fill(200), 429]);
  });

  it("at once, the cap is exact too: each connection holds one of the user's slots, taken by a conditional write", async () => {
    // Act
    const attempts = await Promise.all(Array.from({ length: SIMULTANEOUS_CONNECTS }, () => harness.connect('at-once')));
    // Assess: no index read decides anything, so what holds on DynamoDB Local holds on DynamoDB.
    const admitted = attempts.filter((attempt) => attempt.response.statusCode === 200).length;
    const refused = attempts.filter((attempt) => attempt.response.statusCode === 429).length;
    expect({ admitted, refused }).toEqual({ admitted: CAP, refused: SIMULTANEOUS_CONNECTS - CAP });
    expect(await storedConnectionIds(db, harness.tables.connections, 'at-once')).toHaveLength(admitted);
    expect((await harness.connect('at-once')).response.statusCode).toBe(429);
  });
});
