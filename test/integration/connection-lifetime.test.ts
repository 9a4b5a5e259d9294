/**
 * A connection's row lives as long as the connection can (2 h, or its token's expiry), whatever the
 * connection sends; `$disconnect` marks it closed, and frames sent before the close still count.
 * Real handlers on DynamoDB Local, a loopback @connections API.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { lambdaContext, newConnectionId, wsEvent } from '#testkit/events.ts';
import { jsonLinesSince, metricIn, outputMark } from '#testkit/output.ts';
import { startRouteHarness } from '#testkit/route-harness.ts';
import { storedMessages } from '#testkit/stored-messages.ts';
import { registeredAgo, testDocumentClient } from '#testkit/tables.ts';
import { DynamoConnectionStore } from '../../src/data/dynamo-connection-store.ts';
import { CLOSED_ROW_GRACE_SECONDS, connectionEndsAt, MAX_CONNECTION_SECONDS, openRowExpiresAt, rowLingerSeconds } from '../../src/domain/connection-lifetime.ts';

// A 1-second idle timeout: a row that followed the idle clock would expire between two frames here.
const IDLE_TIMEOUT_SECONDS = 1;
const LINGER = rowLingerSeconds(IDLE_TIMEOUT_SECONDS);
const SEED = { action: 'chat_message', data: { message: 'Hello', sessionId: 'life' } };
const nowSeconds = () => Math.floor(Date.now() / 1000);

let harness: Awaited<ReturnType<typeof startRouteHarness>>;
const db = testDocumentClient();

beforeAll(async () => {
  harness = await startRouteHarness('lifetime', {
    CONNECTION_IDLE_TIMEOUT_SECONDS: String(IDLE_TIMEOUT_SECONDS),
    MAX_CONNECTIONS_PER_USER: '2',
    RATE_LIMIT_BURST: '50',
  });
});
afterAll(async () => {
  await harness.stop();
  db.destroy();
});
beforeEach(() => harness.management.reset());

const rowOf = async (connectionId: string) => (await db.send(new GetCommand({ TableName: harness.tables.connections, Key: { connectionId }, ConsistentRead: true }))).Item;

/** $connect as API Gateway runs it, with the token's `exp` in the authorizer's context. */
const connectWithToken = async (userId: string, tokenExpiresAt: number) => {
  const connectionId = newConnectionId();
  const event = wsEvent({ connectionId, userId, routeKey: '$connect', tokenExpiresAt });
  const response = await harness.handlers.connect(event, lambdaContext('test-websocket-connect'));
  expect(response.statusCode).toBe(200);
  harness.management.connect(connectionId);
  return { connectionId, connectedAt: event.requestContext.connectedAt as number };
};

const disconnect = (connectionId: string) => harness.handlers.disconnect(wsEvent({ connectionId, routeKey: '$disconnect' }), lambdaContext('test-websocket-disconnect'));

describe("a connection row lives until the connection's end, not its idle expiry", () => {
  it("$connect sets expiresAt to the token's exp when it comes before 2 hours, plus the linger", async () => {
    // Prepare
    const exp = nowSeconds() + 300;
    // Act
    const { connectionId } = await connectWithToken('lena', exp);
    // Assess
    expect((await rowOf(connectionId))?.expiresAt).toBe(exp + LINGER);
  });

  it("$connect bounds a long-lived token by API Gateway's 2-hour maximum, counted from when the gateway accepted it", async () => {
    const { connectionId, connectedAt } = await connectWithToken('lena', nowSeconds() + 24 * 3600);
    expect((await rowOf(connectionId))?.expiresAt).toBe(Math.floor(connectedAt / 1000) + MAX_CONNECTION_SECONDS + LINGER);
  });

  it("leaves the row's lifetime alone when a frame arrives, and tells the connection's end in the pong", async () => {
    // Prepare
    const exp = nowSeconds() + 900;
    const { connectionId } = await connectWithToken('mona', exp);
    const before = (await rowOf(connectionId))?.expiresAt;
    // Act
    await harness.send(connectionId, 'mona', { action: 'ping' }, { tokenExpiresAt: exp });
    // Assess
    expect((await rowOf(connectionId))?.expiresAt).toBe(before);
    const [pong] = harness.management.framesTo(connectionId);
    expect(pong).toMatchObject({ type: 'pong', data: { connectionId, expiresAt: exp } });
  });

  it('keeps delivering to a listen-only connection after the idle timeout has passed since its last frame', async () => {
    // Prepare: the listener never sends; more than the idle timeout passes
    const listener = await harness.connect('nina');
    const speaker = await harness.connect('nina');
    await sleep((IDLE_TIMEOUT_SECONDS + 1) * 1000 + 100);
    // Act
    await harness.send(speaker.connectionId, 'nina', SEED);
    // Assess
    expect(harness.management.framesTo(listener.connectionId).map((frame) => frame.data.role)).toEqual(['user', 'assistant']);
  });
});

describe('a connection whose token has expired', () => {
  it("gets none of the user's messages and is closed by the fan-out that finds it", async () => {
    // Prepare: the tablet's token expired 5 s ago; its row lingers, the gateway still holds it open
    const mark = outputMark();
    const { connectionId: laptop } = await connectWithToken('olga', nowSeconds() + 3600);
    const tablet = newConnectionId();
    const expiredEnd = connectionEndsAt(Date.now() - 60_000, nowSeconds() - 5);
    await db.send(
      new PutCommand({
        TableName: harness.tables.connections,
        Item: { connectionId: tablet, userId: 'olga', connectedAt: Date.now() - 60_000, lastSeenAt: 0, expiresAt: openRowExpiresAt(expiredEnd, LINGER) },
      }),
    );
    harness.management.connect(tablet);
    // Act
    await harness.send(laptop, 'olga', SEED);
    // Assess
    expect(harness.management.framesTo(laptop).map((frame) => frame.data.role)).toEqual(['user', 'assistant']);
    expect(harness.management.framesTo(tablet)).toEqual([]);
    expect(harness.management.deletes()).toEqual([tablet]);
    expect(metricIn(mark, 'EndedConnectionClosed')).toBe(1);
  });
});

describe('$disconnect and the frames a client sent just before closing', () => {
  it('marks the row closed for a short grace instead of deleting it; a second $disconnect is harmless', async () => {
    // Prepare
    const { connectionId } = await harness.connect('pia');
    // Act
    expect(await disconnect(connectionId)).toEqual({ statusCode: 200 });
    expect(await disconnect(connectionId)).toEqual({ statusCode: 200 });
    // Assess
    const row = await rowOf(connectionId);
    expect(typeof row?.disconnectedAt).toBe('number');
    expect(row?.expiresAt).toBe(Math.floor((row?.disconnectedAt as number) / 1000) + CLOSED_ROW_GRACE_SECONDS);
  });

  it('does not write a row for a connection that has none', async () => {
    const connectionId = newConnectionId();
    expect(await disconnect(connectionId)).toEqual({ statusCode: 200 });
    expect(await rowOf(connectionId)).toBeUndefined();
  });

  it('does not count a closed connection towards the per-user cap', async () => {
    // Prepare: the cap is 2 here
    const first = await harness.connect('quin');
    await harness.connect('quin');
    // Act
    await disconnect(first.connectionId);
    // Assess
    expect((await harness.connect('quin')).response.statusCode).toBe(200);
  });

  it("stores a message sent just before the close and delivers it to the user's other connections, posting nothing to the gone one", async () => {
    // Prepare: the phone sent a frame, then closed; $disconnect ran before the frame reached its function
    const mark = outputMark();
    const phone = await harness.connect('rosa');
    const laptop = await harness.connect('rosa');
    await registeredAgo(db, harness.tables.connections, phone.connectionId, 60_000);
    await disconnect(phone.connectionId);
    harness.management.disconnect(phone.connectionId);
    // Act
    const response = await harness.send(phone.connectionId, 'rosa', { ...SEED, data: { ...SEED.data, message: 'sent before closing' } });
    await harness.send(phone.connectionId, 'rosa', { action: 'ping' });
    // Assess
    expect(response).toEqual({ statusCode: 200 });
    const toLaptop = harness.management.framesTo(laptop.connectionId);
    expect(toLaptop.map((frame) => [frame.data.role, frame.data.message])).toEqual([
      ['user', 'sent before closing'],
      ['assistant', 'You said: sent before closing'],
    ]);
    expect(harness.management.calls.filter((call) => call.connectionId === phone.connectionId)).toEqual([]);
    const stored = await storedMessages(db, harness.tables.messages, 'rosa', 'life');
    expect(stored.filter((item) => item.message === 'sent before closing')).toHaveLength(1);
    expect(metricIn(mark, 'DeliveryFailed')).toBe(0);
    expect(await rowOf(phone.connectionId)).toBeDefined();
  });

  it('refuses a frame whose connection closed longer ago than the grace, and says so at WARN with a metric', async () => {
    // Prepare: closed two minutes ago
    const mark = outputMark();
    const connectionId = newConnectionId();
    const closedAt = Date.now() - 120_000;
    await db.send(
      new PutCommand({
        TableName: harness.tables.connections,
        Item: {
          connectionId,
          userId: 'sara',
          connectedAt: closedAt - 60_000,
          lastSeenAt: 0,
          disconnectedAt: closedAt,
          expiresAt: Math.floor(closedAt / 1000) + CLOSED_ROW_GRACE_SECONDS,
        },
      }),
    );
    // Act
    await harness.send(connectionId, 'sara', SEED);
    // Assess
    expect(metricIn(mark, 'FrameRefusedUnknownConnection')).toBe(1);
    const warnings = jsonLinesSince(mark).filter((line) => line.level === 'WARN' && String(line.message).startsWith('Frame refused'));
    expect(warnings).toHaveLength(1);
  });

  it('keeps a closed row that answers 410: frames sent before the close may still be on their way', async () => {
    const { connectionId } = await harness.connect('tina');
    await registeredAgo(db, harness.tables.connections, connectionId, 60_000);
    await disconnect(connectionId);
    const store = new DynamoConnectionStore(db, harness.tables.connections, IDLE_TIMEOUT_SECONDS);

    expect(await store.removeStale(connectionId, Date.now())).toBe(false);
    expect(await rowOf(connectionId)).toBeDefined();
  });
});
