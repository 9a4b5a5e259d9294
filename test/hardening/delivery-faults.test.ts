/**
 * @connections faults from a loopback management API, through the real SDK client the sender uses:
 * 429 LimitExceededException retried with full jitter, 410 cleanup, 500 counted, a hanging endpoint cut
 * off by the request timeout. Math.random is pinned low so the backoff waits 1% of its cap.
 */

import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { useFaultSuite } from '#testkit/hardening/fault-suite.ts';
import { internalsIn } from '#testkit/hardening/internals.ts';
import { jsonLinesSince, metricIn, outputMark } from '#testkit/output.ts';
import { registeredAgo } from '#testkit/tables.ts';
import { createDocumentClient } from '../../src/data/dynamo-client.ts';
import { createManagementApiClient, ManagementApiSender } from '../../src/delivery/management-api-sender.ts';
import { metrics } from '../../src/observability/powertools.ts';
import { buildRoutes } from './support/routes.ts';

const suite = useFaultSuite('dlfaults');
const { management, db } = suite;
const client = createDocumentClient();
let routes: ReturnType<typeof buildRoutes>;

beforeAll(() => {
  routes = buildRoutes({ client, tables: suite.tables, managementEndpoint: management.endpoint });
});
afterAll(() => {
  client.destroy();
});

const pong = { type: 'pong', data: { connectionId: 'x', serverTime: 'now', expiresAt: 1 } } as const;
const callsTo = (connectionId: string) => management.calls.filter((call) => call.connectionId === connectionId).length;
/** A sender on a fresh client (its own retry quota), as SenderPool builds it. */
const freshSender = (options?: { requestTimeoutMs?: number; maxAttempts?: number }) => new ManagementApiSender(createManagementApiClient(management.endpoint, options));
const deliveryWarnings = (mark: number) => jsonLinesSince(mark).filter((line) => line.message === 'Delivery to connection failed');

let users = 0;
const userWithDevices = async (name: string, count: number) => {
  users += 1;
  const userId = `${name}-${users}`;
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const { connectionId, response } = await routes.connect(userId);
    expect(response).toMatchObject({ statusCode: 200 });
    management.connect(connectionId);
    ids.push(connectionId);
  }
  return { userId, ids };
};

describe('@connections faults', () => {
  it('retries a throttled post (429 LimitExceededException) with full-jitter backoff until it is delivered', async () => {
    management.connect('throttled-1');
    management.failNext('throttled-1', { status: 429, errorType: 'LimitExceededException', times: 2 });
    const outcome = await freshSender().post('throttled-1', pong);
    expect(outcome).toBe('delivered');
    expect(callsTo('throttled-1')).toBe(3);
    // Full jitter: each of the 2 backoffs is a fresh random fraction of the exponential cap.
    expect(suite.random).toHaveBeenCalledTimes(2);
    expect(management.framesTo('throttled-1')).toEqual([pong]);
  });

  it('gives up on a post still throttled after 4 attempts: counted (DeliveryFailed) and logged, not thrown', async () => {
    management.connect('throttled-2');
    management.failNext('throttled-2', { status: 429, errorType: 'LimitExceededException', times: 10 });
    const mark = outputMark();
    const outcome = await freshSender().post('throttled-2', pong);
    metrics.publishStoredMetrics();
    expect(outcome).toBe('failed');
    expect(callsTo('throttled-2')).toBe(4);
    expect(suite.random).toHaveBeenCalledTimes(3);
    expect(deliveryWarnings(mark)).toEqual([
      expect.objectContaining({ level: 'WARN', targetConnectionId: 'throttled-2', attempts: 4, error: expect.objectContaining({ name: 'LimitExceededException' }) }),
    ]);
    expect(metricIn(mark, 'DeliveryFailed')).toBe(1);
  });

  it('does not retry a 410: the gone connection is removed after the request, the sender kept', async () => {
    // Prepare: one user, two devices; the second has gone without its $disconnect having run
    const { userId, ids } = await userWithDevices('gil', 2);
    const [sender, stale] = ids as [string, string];
    await registeredAgo(db, process.env.CONNECTIONS_TABLE as string, stale, 60_000);
    management.disconnect(stale);
    const mark = outputMark();
    // Act
    const response = await routes.send('message', sender, userId, { action: 'chat_message', data: { message: 'hi', sessionId: 's' } });
    // Assess
    expect(response).toEqual({ statusCode: 200 });
    expect(management.framesTo(sender).map((frame) => frame.data.role)).toEqual(['user', 'assistant']);
    expect(callsTo(stale)).toBe(1); // the reply skips it: already known gone in this request
    const row = async (connectionId: string) => (await db.send(new GetCommand({ TableName: process.env.CONNECTIONS_TABLE, Key: { connectionId }, ConsistentRead: true }))).Item;
    expect(await row(stale)).toBeUndefined();
    expect(await row(sender)).toBeDefined();
    expect(metricIn(mark, 'StaleConnectionRemoved')).toBe(1);
  });

  it('counts a 500 that outlasts the retries, and keeps delivering to the other devices', async () => {
    // Prepare
    const { userId, ids } = await userWithDevices('hal', 2);
    const [sender, broken] = ids as [string, string];
    management.failNext(broken, { status: 500, errorType: 'InternalServerError', times: 100 });
    const mark = outputMark();
    // Act
    const response = await routes.send('message', sender, userId, { action: 'chat_message', data: { message: 'anyone?', sessionId: 's' } });
    // Assess
    expect(response).toEqual({ statusCode: 200 });
    expect(management.framesTo(sender).map((frame) => frame.data.role)).toEqual(['user', 'assistant']);
    expect(callsTo(broken)).toBe(8); // 4 attempts for the message, 4 for the reply
    expect(metricIn(mark, 'DeliveryFailed')).toBe(2);
    expect(deliveryWarnings(mark).map((line) => line.attempts)).toEqual([4, 4]);
    expect(metricIn(mark, 'HandlerError')).toBe(0);
  });

  it('a pong that cannot be delivered (500) is counted in the EMF output, and the handler still succeeds', async () => {
    const { userId, ids } = await userWithDevices('ida', 1);
    const [connectionId] = ids as [string];
    management.failNext(connectionId, { status: 500, errorType: 'InternalServerError', times: 4 });
    const mark = outputMark();
    const response = await routes.send('ping', connectionId, userId, { action: 'ping' });
    expect(response).toEqual({ statusCode: 200 });
    expect(callsTo(connectionId)).toBe(4);
    expect(management.framesTo(connectionId)).toEqual([]);
    expect(metricIn(mark, 'DeliveryFailed')).toBe(1);
  });

  it('cuts off a hanging endpoint with the request timeout, retries it, then reports the post as failed', async () => {
    management.connect('hung-1');
    management.hang('hung-1');
    const mark = outputMark();
    const outcome = await freshSender({ requestTimeoutMs: 150, maxAttempts: 2 }).post('hung-1', pong);
    metrics.publishStoredMetrics();
    expect(outcome).toBe('failed');
    expect(callsTo('hung-1')).toBe(2);
    const [warning] = deliveryWarnings(mark);
    expect(warning).toMatchObject({ attempts: 2, error: { name: 'TimeoutError' } });
    expect(metricIn(mark, 'DeliveryFailed')).toBe(1);
  });

  it('an error frame that cannot be delivered changes nothing and leaks nothing', async () => {
    const { userId, ids } = await userWithDevices('jo', 1);
    const [connectionId] = ids as [string];
    management.failNext(connectionId, { status: 500, errorType: 'InternalServerError', times: 4 });
    const response = await routes.send('message', connectionId, userId, { action: 'chat_message', data: { message: '' } });
    expect(response).toEqual({ statusCode: 200 });
    expect(callsTo(connectionId)).toBe(4);
    const posted = management.calls.filter((call) => call.connectionId === connectionId).map((call) => JSON.parse(call.body));
    for (const frame of posted) {
      expect(frame.error.code).toBe('VALIDATION_ERROR');
      expect(internalsIn(frame)).toEqual([]);
    }
  });
});
