/**
 * DynamoDB throttling and 5xx, injected below the SDK client (see testkit/hardening/dynamo-faults.ts) under the
 * production DocumentClient (`createDocumentClient`: 4 attempts, standard retries), through the route
 * chains as the handlers compose them. Math.random is pinned low so the SDK's full-jitter backoff
 * waits 1% of its cap; every retry still runs.
 */

import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from '@jest/globals';
import { SERVER_ERROR, THROTTLE, THROTTLING, UNAVAILABLE } from '#testkit/hardening/dynamo-faults.ts';
import { useFaultSuite } from '#testkit/hardening/fault-suite.ts';
import { INTERNAL_ERROR_TEXT, internalsIn } from '#testkit/hardening/internals.ts';
import { jsonLinesSince, metricIn, outputMark } from '#testkit/output.ts';
import { storedByClientMessageId, storedMessages } from '#testkit/stored-messages.ts';
import { buildRoutes } from './support/routes.ts';

const suite = useFaultSuite('dfaults');
const { management, db } = suite;

/** A fresh production client (its own retry quota) with the fault middleware, and the chains on it. */
const setup = () => {
  const { faults, client } = suite.faultyClient();
  const routes = buildRoutes({ client, tables: suite.tables, managementEndpoint: management.endpoint });
  return { faults, client, routes };
};

let users = 0;
/** A user with one live connection (registered without faults). */
const connectedUser = async (routes: ReturnType<typeof setup>['routes'], name: string) => {
  users += 1;
  const userId = `${name}-${users}`;
  const { connectionId, response } = await routes.connect(userId);
  expect(response).toMatchObject({ statusCode: 200 });
  management.connect(connectionId);
  return { userId, connectionId };
};

const storedSession = (userId: string, sessionId: string) => storedMessages(db, suite.tables.messages, userId, sessionId);
/** What the resend marker of `clientMessageId` in session `s` holds (undefined: no marker). */
const storedAs = (userId: string, clientMessageId: string) => storedByClientMessageId(db, suite.tables.messages, userId, 's', clientMessageId);

const chat = (message: string, sessionId: string, clientMessageId?: string) => ({
  action: 'chat_message',
  data: { message, sessionId, ...(clientMessageId ? { clientMessageId } : {}) },
});

const expectOneInternalError = (frames: Array<Record<string, any>>) => {
  const errors = frames.filter((frame) => frame.type === 'error');
  expect(errors).toHaveLength(1);
  expect(errors[0]?.error).toEqual({ code: 'INTERNAL_ERROR', message: INTERNAL_ERROR_TEXT });
  expect(internalsIn(errors[0])).toEqual([]);
};

describe('DynamoDB throttling and 5xx below the SDK client', () => {
  it('retries a throttled write until it succeeds, with the SDK counting the attempts', async () => {
    const { faults, client } = setup();
    faults.fail('PutItem', { ...THROTTLE, times: 2 });
    const output = await client.send(new PutCommand({ TableName: suite.tables.connections, Item: { connectionId: 'probe' } }));
    // 3 on a quiet machine; a real request slower than the 3 s request timeout would add a retry.
    expect(output.$metadata.attempts).toBe(faults.attempts('PutItem'));
    expect(output.$metadata.attempts).toBeGreaterThanOrEqual(3);
    expect(faults.attemptHeaders('PutItem').slice(0, 3)).toEqual(['attempt=1; max=4', 'attempt=2; max=4', 'attempt=3; max=4']);
  });

  it('gives up after 4 attempts with the service error, and $metadata says so', async () => {
    const { faults, client } = setup();
    faults.fail('GetItem', UNAVAILABLE);
    const error = await client.send(new GetCommand({ TableName: suite.tables.connections, Key: { connectionId: 'probe' } })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503, attempts: 4 } });
    expect(faults.attempts('GetItem')).toBe(4);
  });

  it('answers a chat message normally when every DynamoDB step is throttled or fails a few times first', async () => {
    // Prepare
    const { faults, routes } = setup();
    const { userId, connectionId } = await connectedUser(routes, 'tess');
    faults
      .forgetRequests()
      .fail('UpdateItem', { ...SERVER_ERROR, times: 2 })
      .fail('TransactWriteItems', { ...THROTTLE, times: 3 })
      .fail('Query', { ...UNAVAILABLE, times: 1 })
      .fail('PutItem', { ...THROTTLING, times: 2 });
    // Act
    const response = await routes.send('message', connectionId, userId, chat('hello', 's', 'c-1'));
    // Assess
    expect(response).toEqual({ statusCode: 200 });
    expect(management.framesTo(connectionId).map((frame) => [frame.type, frame.data?.role])).toEqual([
      ['chat_message', 'user'],
      ['chat_message', 'assistant'],
    ]);
    // Each step was retried past its faults: the injected failures, then at least one real attempt
    // (exactly one on a quiet machine; a real request slower than the 3 s timeout adds another).
    expect({
      rateLimit: faults.faulted('UpdateItem'),
      question: faults.faulted('TransactWriteItems'),
      recipients: faults.faulted('Query'),
      reply: faults.faulted('PutItem'),
    }).toEqual({ rateLimit: 2, question: 3, recipients: 1, reply: 2 });
    for (const operation of ['UpdateItem', 'TransactWriteItems', 'Query', 'PutItem'] as const) {
      expect(faults.attempts(operation)).toBeGreaterThan(faults.faulted(operation));
    }
    // The question is the one transaction of the exchange: its faults, then one attempt (two on a slow machine).
    expect(faults.attempts('TransactWriteItems')).toBeLessThanOrEqual(5);
    // Retries of the transaction reuse its idempotency token: the message is stored once.
    const stored = await storedSession(userId, 's');
    expect(stored.map((item) => item.role)).toEqual(['user', 'assistant']);
    expect(await storedAs(userId, 'c-1')).toEqual(stored[0]);
  });

  it('when storing the question runs out of retries: nothing stored, nothing delivered, the sender told to retry', async () => {
    // Prepare
    const { faults, routes } = setup();
    const { userId, connectionId } = await connectedUser(routes, 'uma');
    faults.forgetRequests();
    faults.fail('TransactWriteItems', THROTTLE);
    const mark = outputMark();
    // Act
    const response = await routes.send('message', connectionId, userId, chat('are you there?', 's', 'c-1'));
    // Assess
    expect(response).toEqual({ statusCode: 500 });
    expect(faults.attempts('TransactWriteItems')).toBe(4);
    const frames = management.framesTo(connectionId);
    expect(frames).toHaveLength(1);
    expectOneInternalError(frames);
    expect(await storedSession(userId, 's')).toEqual([]);
    expect(await storedAs(userId, 'c-1')).toBeUndefined();
    expect(metricIn(mark, 'HandlerError')).toBe(1);
    const logged = jsonLinesSince(mark).find((line) => line.message === 'Unhandled error in route handler');
    expect(logged).toMatchObject({ level: 'ERROR', error: { name: 'ProvisionedThroughputExceededException' } });

    // Act: the client retries the same clientMessageId once DynamoDB recovers
    faults.heal();
    await routes.send('message', connectionId, userId, chat('are you there?', 's', 'c-1'));
    // Assess: stored once, answered once
    expect(
      management
        .framesTo(connectionId)
        .slice(1)
        .map((frame) => frame.data?.role),
    ).toEqual(['user', 'assistant']);
    const stored = await storedSession(userId, 's');
    expect(stored).toHaveLength(2);
    expect(await storedAs(userId, 'c-1')).toEqual(stored[0]);
  });

  it("when the session's turn cannot be written: nothing stored, nothing delivered, the sender told to retry, and the retry answered", async () => {
    const { faults, routes } = setup();
    const { userId, connectionId } = await connectedUser(routes, 'vic');
    faults.forgetRequests();
    // The session's turn is the exchange's first PutItem, taken before the question is stored.
    faults.fail('PutItem', SERVER_ERROR);
    const response = await routes.send('message', connectionId, userId, chat('tell me more', 's', 'c-9'));
    expect(response).toEqual({ statusCode: 500 });
    expect(faults.attempts('PutItem')).toBe(4);
    expect(faults.attempts('TransactWriteItems')).toBe(0);
    const frames = management.framesTo(connectionId);
    expect(frames.map((frame) => frame.type)).toEqual(['error']);
    expectOneInternalError(frames);
    expect(await storedSession(userId, 's')).toEqual([]);

    faults.heal();
    await routes.send('message', connectionId, userId, chat('tell me more', 's', 'c-9'));
    expect((await storedSession(userId, 's')).map((item) => [item.role, item.message])).toEqual([
      ['user', 'tell me more'],
      ['assistant', 'You said: tell me more'],
    ]);
  });

  it.each([
    // (Throttling of the rate-limit write is RATE_LIMITED; its own test is below.)
    ['the rate-limit write', 'UpdateItem', SERVER_ERROR],
    ['storing the question', 'TransactWriteItems', SERVER_ERROR],
    ['finding the recipients', 'Query', THROTTLING],
    ['storing the reply', 'PutItem', UNAVAILABLE],
  ] as const)('when %s fails for good, the sender is told once and no reply exists without its question', async (_step, operation, fault) => {
    // Prepare: a user with two devices
    const { faults, routes } = setup();
    const { userId, connectionId } = await connectedUser(routes, `yan-${operation}`);
    const other = await routes.connect(userId);
    management.connect(other.connectionId);
    faults.forgetRequests().fail(operation, fault);
    // Act
    const response = await routes.send('message', connectionId, userId, chat('hello?', 's', 'c-1'));
    // Assess
    expect([200, 500]).toContain(response.statusCode);
    // The rate limit is two UpdateItems in parallel (the user's bucket, the connection's row), 4 attempts each.
    expect(faults.attempts(operation)).toBe(operation === 'UpdateItem' ? 8 : 4);
    const frames = management.framesTo(connectionId);
    const errors = frames.filter((frame) => frame.type === 'error');
    if (errors.length > 0) expectOneInternalError(frames);
    else expect(frames.map((frame) => frame.data?.role)).toEqual(['user', 'assistant']);
    for (const received of [frames, management.framesTo(other.connectionId)]) {
      const roles = received.filter((frame) => frame.type === 'chat_message').map((frame) => frame.data.role);
      if (roles.includes('assistant')) expect(roles.indexOf('user')).toBeLessThan(roles.indexOf('assistant'));
    }
    const stored = await storedSession(userId, 's');
    const questions = new Set(stored.filter((item) => item.role === 'user').map((item) => item.messageId));
    for (const reply of stored.filter((item) => item.role === 'assistant')) expect(reply.replyTo !== undefined && questions.has(reply.replyTo)).toBe(true);
    expect(questions.size).toBeLessThanOrEqual(1);
  });

  it('the rate limiter fails closed when DynamoDB throttles it: RATE_LIMITED with retryAfterMs, nothing admitted, nothing stored', async () => {
    // Prepare
    const { faults, routes } = setup();
    const { userId, connectionId } = await connectedUser(routes, 'wes');
    faults.forgetRequests();
    const rowBefore = (await db.send(new GetCommand({ TableName: suite.tables.connections, Key: { connectionId }, ConsistentRead: true }))).Item;
    faults.fail('UpdateItem', THROTTLE);
    const mark = outputMark();
    // Act
    const response = await routes.send('message', connectionId, userId, chat('let me in', 's'));
    // Assess
    expect(response).toEqual({ statusCode: 200 });
    // Two UpdateItems in parallel (the user's bucket, the connection's row), 4 attempts each; then the
    // refusal limit's count of this refusal on the row (best effort), throttled the same way: 4 more.
    expect(faults.attempts('UpdateItem')).toBe(12);
    expect(faults.attempts('TransactWriteItems') + faults.attempts('PutItem') + faults.attempts('Query')).toBe(0);
    const frames = management.framesTo(connectionId);
    expect(frames).toHaveLength(1);
    expect(frames[0]?.error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 1000 });
    expect(metricIn(mark, 'RateLimited')).toBe(1);
    expect(await storedSession(userId, 's')).toEqual([]);
    expect(metricIn(mark, 'MessageReceived')).toBe(0);
    expect((await db.send(new GetCommand({ TableName: suite.tables.connections, Key: { connectionId }, ConsistentRead: true }))).Item).toEqual(rowBefore);
  });

  it('gives the cap slot back when registering the connection fails after the slot was taken', async () => {
    // Prepare: the first PutItem (the slot) works, the row's PutItem fails for good
    const { faults, routes } = setup();
    faults.fail('PutItem', { ...SERVER_ERROR, skip: 1 });
    // Act
    const refused = await routes.connect('zed-1');
    faults.heal();
    // Assess: refused, and every one of the user's 5 slots is free again at once (a kept slot would
    // stay taken until its missing row is noticed, 30 s later)
    expect(refused.response).toMatchObject({ statusCode: 500 });
    expect(faults.attempts('PutItem')).toBe(5);
    const connects = await Promise.all(Array.from({ length: 5 }, () => routes.connect('zed-1')));
    expect(connects.map(({ response }) => response.statusCode)).toEqual([200, 200, 200, 200, 200]);
  });

  it('refuses a handshake with 500 when the cap slots cannot be read or the connection registered, and registers nothing', async () => {
    const { faults, routes } = setup();
    faults.fail('BatchGetItem', SERVER_ERROR);
    const counted = await routes.connect('xia-1');
    expect(counted.response).toMatchObject({ statusCode: 500 });
    expect(faults.attempts('BatchGetItem')).toBe(4);
    faults.heal();
    faults.fail('PutItem', SERVER_ERROR);
    const registered = await routes.connect('xia-1');
    expect(registered.response).toMatchObject({ statusCode: 500 });
    expect(faults.attempts('PutItem')).toBe(4);
    for (const { connectionId } of [counted, registered]) {
      expect((await db.send(new GetCommand({ TableName: suite.tables.connections, Key: { connectionId }, ConsistentRead: true }))).Item).toBeUndefined();
    }
    expect(JSON.stringify([counted.response, registered.response])).not.toMatch(/Exception|InternalServerError|stack/);
  });

  it('fails closed when DynamoDB throttles the connect limits: 429 at the handshake, nothing registered', async () => {
    const { faults, routes } = setup();
    faults.fail('UpdateItem', THROTTLE);
    const { connectionId, response } = await routes.connect('xia-2');
    expect(response).toMatchObject({ statusCode: 429 });
    expect(faults.attempts('UpdateItem')).toBe(4);
    expect(faults.attempts('PutItem')).toBe(0);
    expect((await db.send(new GetCommand({ TableName: suite.tables.connections, Key: { connectionId }, ConsistentRead: true }))).Item).toBeUndefined();
  });
});
