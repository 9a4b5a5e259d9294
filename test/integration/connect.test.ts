import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { lambdaContext, newConnectionId, wsEvent } from '#testkit/events.ts';
import { metricIn, outputMark } from '#testkit/output.ts';
import { startRouteHarness } from '#testkit/route-harness.ts';
import { testDocumentClient } from '#testkit/tables.ts';

let harness: Awaited<ReturnType<typeof startRouteHarness>>;
const db = testDocumentClient();

beforeAll(async () => {
  harness = await startRouteHarness('connect', { MAX_CONNECTIONS_PER_USER: '5' });
});
afterAll(async () => {
  await harness.stop();
  db.destroy();
});

const rowOf = async (connectionId: string) => (await db.send(new GetCommand({ TableName: harness.tables.connections, Key: { connectionId } }))).Item;

describe('$connect and $disconnect', () => {
  it('writes the connection, live until its token expires (the test token lasts an hour) plus the 10-minute linger', async () => {
    const { connectionId, response } = await harness.connect('una');
    expect(response).toEqual({ statusCode: 200 });
    const row = await rowOf(connectionId);
    expect(row).toMatchObject({ connectionId, userId: 'una' });
    expect(row?.expiresAt).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 3600 + 600 - 5);
  });

  it('refuses the sixth live connection of a user with 429 and writes nothing for it', async () => {
    for (let i = 0; i < 5; i += 1) expect((await harness.connect('vic')).response.statusCode).toBe(200);
    const sixth = await harness.connect('vic');
    expect(sixth.response.statusCode).toBe(429);
    expect(sixth.response.body).toContain('at most 5');
    expect(await rowOf(sixth.connectionId)).toBeUndefined();
  });

  it('settles simultaneous connects past the cap: exactly five stay, the rest get 429 and leave no row', async () => {
    const mark = outputMark();
    // Act
    const attempts = await Promise.all(Array.from({ length: 10 }, () => harness.connect('yael')));
    // Assess
    const admitted = attempts.filter((attempt) => attempt.response.statusCode === 200);
    const refused = attempts.filter((attempt) => attempt.response.statusCode === 429);
    expect(admitted.length + refused.length).toBe(10);
    expect(admitted.length).toBeGreaterThanOrEqual(5);
    const rows = await Promise.all(attempts.map((attempt) => rowOf(attempt.connectionId)));
    expect(rows.filter((row) => row !== undefined)).toHaveLength(admitted.length);
    for (const attempt of refused) expect(await rowOf(attempt.connectionId)).toBeUndefined();
    // Each connection holds a slot taken by a conditional write: exactly the cap, on DynamoDB too.
    expect(admitted).toHaveLength(5);
    // A connect that backs out is counted as refused only, never as opened.
    expect(metricIn(mark, 'ConnectionOpened')).toBe(5);
    expect(metricIn(mark, 'ConnectionRefused')).toBe(5);
  });

  it('echoes the first offered Sec-WebSocket-Protocol', async () => {
    const { response } = await harness.connect('wren', newConnectionId(), { 'Sec-WebSocket-Protocol': 'chat.v1, chat.v0' });
    expect(response.headers).toMatchObject({ 'Sec-WebSocket-Protocol': 'chat.v1' });
  });

  it('refuses with 403 when the authorizer context is missing', async () => {
    const connectionId = newConnectionId();
    const response = await harness.handlers.connect(wsEvent({ connectionId, routeKey: '$connect' }), lambdaContext());
    expect(response.statusCode).toBe(403);
    expect(await rowOf(connectionId)).toBeUndefined();
  });

  it('marks the row closed on $disconnect (connection-lifetime.test.ts has the details), and a second $disconnect succeeds too', async () => {
    const { connectionId } = await harness.connect('xavi');
    const event = wsEvent({ connectionId, routeKey: '$disconnect' });
    expect(await harness.handlers.disconnect(event, lambdaContext())).toEqual({ statusCode: 200 });
    expect(await harness.handlers.disconnect(event, lambdaContext())).toEqual({ statusCode: 200 });
    expect(await rowOf(connectionId)).toHaveProperty('disconnectedAt');
  });
});
