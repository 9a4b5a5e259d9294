/**
 * Hostile handshakes against the local gateway running the real handlers on DynamoDB Local, over real
 * sockets: tokens with unbounded claims, client-chosen values in the refusal logs, Object.prototype
 * names in the query string and headers, and upgrade requests ws refuses. Each is answered and closed,
 * leaves no connection row behind, and the gateway keeps serving.
 */

import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { craftToken } from '#testkit/authorizer-events.ts';
import { InvocationRecorder, requestContextOf } from '#testkit/invocation-recorder.ts';
import { signRawPayload } from '#testkit/raw-tokens.ts';
import { testDocumentClient } from '#testkit/tables.ts';
import { tokenFor, uniqueUser } from '#testkit/tokens.ts';
import { isChat, isPong, refusalStatus, TestClient } from '#testkit/ws-client.ts';
import { DEV_JWT_SECRET } from '../../src/local/dev-config.ts';
import { type LocalGateway, startLocalGateway } from '../../src/local/gateway/gateway.ts';
import { type RawUpgrade, rawHandshake } from './support/raw-handshake.ts';

const ALLOWED_ORIGIN = 'https://chat.example.com';
/** Far below any line a refusal may legitimately write, far above the 200 characters a client value may take. */
const MAX_REFUSAL_LINE = 2_000;

let gateway: LocalGateway;
const recorder = new InvocationRecorder();
const functionLogs: string[] = [];
const clients: TestClient[] = [];
const db = testDocumentClient();

beforeAll(async () => {
  gateway = await startLocalGateway({
    port: 0,
    environment: `hs${randomUUID().slice(0, 8)}`,
    maxSandboxesPerFunction: 1,
    authorizerEnvironment: { ALLOWED_ORIGINS: ALLOWED_ORIGIN },
    onInvoke: recorder.onInvoke,
    onLog: (_functionName, line) => functionLogs.push(line),
  });
}, 120_000);
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await gateway?.stop();
  db.destroy();
});

const now = () => Math.floor(Date.now() / 1000);
const devToken = (payload: Record<string, unknown> | string) => signRawPayload(typeof payload === 'string' ? payload : JSON.stringify(payload), { secret: DEV_JWT_SECRET });
const open = async (token: string) => {
  const client = await TestClient.connect(gateway.url, { token });
  clients.push(client);
  return client;
};
const pathWith = (query: string) => `/${gateway.stage}?${query}`;
const rowsOf = async (userId: string) =>
  (
    await db.send(
      new ScanCommand({
        TableName: gateway.tables.connections,
        FilterExpression: 'userId = :userId',
        ExpressionAttributeValues: { ':userId': userId },
        ConsistentRead: true,
      }),
    )
  ).Items ?? [];
/** The gateway still opens a connection and answers its frames. */
const servesAnotherUser = async () => {
  const client = await open(await tokenFor(uniqueUser('after')));
  client.send({ action: 'ping' });
  await client.next(isPong, 'pong');
  await client.close();
};

describe('token claims at the handshake', () => {
  it.each([
    ['a 2,000-character sub', () => ({ sub: 'a'.repeat(2_000), exp: now() + 600 })],
    ['a sub of over 2 KB of UTF-8', () => ({ sub: '€'.repeat(700), exp: now() + 600 })],
    ['a 257-byte sub', () => ({ sub: 'a'.repeat(257), exp: now() + 600 })],
    ['a sub with a NUL', () => ({ sub: 'alice\u0000', exp: now() + 600 })],
    ['a sub with a newline', () => ({ sub: 'alice\nbob', exp: now() + 600 })],
    ['"exp": 1e400', () => `{"sub":"alice","exp":1e400}`],
    ['"exp": 1e300', () => `{"sub":"alice","exp":1e300}`],
    ['"iat": 1e400', () => `{"sub":"alice","exp":${now() + 600},"iat":1e400}`],
    ['"nbf": -1e400', () => `{"sub":"alice","exp":${now() + 600},"nbf":-1e400}`],
    ['"exp" as a string', () => `{"sub":"alice","exp":"${now() + 600}"}`],
  ])('refuses %s with 401', async (_name, payload) => {
    expect((await refusalStatus(gateway.url, { token: await devToken(payload()) })).status).toBe(401);
  });

  it('serves the longest sub (256 bytes of UTF-8) in a 128-character session: message, reply and history, no error', async () => {
    // Prepare
    const user = `${'€'.repeat(85)}a`;
    const sessionId = 'S'.repeat(128);
    const client = await open(await devToken({ sub: user, exp: now() + 600 }));

    // Act
    client.send({ action: 'chat_message', data: { message: 'Hello', sessionId } });
    await client.next(isChat('user', 'Hello'), 'the message');
    await client.next(isChat('assistant'), 'the reply');
    client.send({ action: 'history', data: { sessionId } });
    const history = await client.next((frame) => frame.type === 'history', 'history');

    // Assess
    expect(history.data.messages.map((message: { userId: string; role: string }) => [message.userId, message.role])).toEqual([
      [user, 'user'],
      [user, 'assistant'],
    ]);
    expect(client.received.filter((frame) => typeof frame !== 'object' || frame.type === 'error')).toEqual([]);
    await client.close();
  });
});

describe('log lines of refused handshakes', () => {
  it.each([
    ['a 12 KB crit header name', () => ({ token: craftToken({ alg: 'HS256', crit: ['c'.repeat(12_000)] }, { sub: 'a', exp: now() + 600 }, 'c2ln') }), 401],
    ['a 12 KB Origin', async () => ({ token: await tokenFor(uniqueUser('origin')), headers: { Origin: `https://${'o'.repeat(12_000)}.example.com` } }), 403],
  ])('keeps every function log line of a handshake refused for %s short', async (_name, request, status) => {
    const mark = functionLogs.length;
    const { token, headers } = (await request()) as { token: string; headers?: Record<string, string> };

    expect((await refusalStatus(gateway.url, { token, ...(headers ? { headers } : {}) })).status).toBe(status);

    const lines = functionLogs.slice(mark);
    expect(lines.some((line) => line.includes('truncated, 12'))).toBe(true);
    expect(lines.filter((line) => line.length > MAX_REFUSAL_LINE)).toEqual([]);
  });
});

describe('Object.prototype names in the handshake', () => {
  it.each<[string, string, Array<[string, string]>]>([
    ['?constructor=1', 'constructor=1', []],
    ['?toString=1&valueOf=2', 'toString=1&valueOf=2', []],
    ['?__proto__=1', '__proto__=1', []],
    ['?hasOwnProperty=1&constructor=2&constructor=3', 'hasOwnProperty=1&constructor=2&constructor=3', []],
    ['a __proto__ header', '', [['__proto__', 'x']]],
    [
      'constructor and toString headers',
      '',
      [
        ['constructor', 'y'],
        ['toString', 'z'],
      ],
    ],
  ])('answers a handshake without a token and with %s with 401, and closes it', async (_name, query, headers) => {
    const answer = await rawHandshake(gateway.port, { path: pathWith(query), headers });
    expect(answer).toMatchObject({ status: 401, closed: true });
  });

  it('opens a connection whose query string and headers carry those names, and hands them on as plain values', async () => {
    // Prepare
    const user = uniqueUser('proto');
    const token = encodeURIComponent(await tokenFor(user));
    const mark = recorder.records.length;

    // Act
    const answer = await rawHandshake(gateway.port, {
      path: pathWith(`constructor=1&toString=2&__proto__=3&token=${token}`),
      headers: [
        ['__proto__', 'x'],
        ['constructor', 'y'],
        ['hasOwnProperty', 'z'],
      ],
    });

    // Assess
    expect(answer.status).toBe(101);
    const connect = await recorder.waitFor(
      (record) => recorder.records.indexOf(record) >= mark && record.routeKey === '$connect' && requestContextOf(record).authorizer?.userId === user,
      `$connect of ${user}`,
    );
    const event = connect.event as Record<string, Record<string, unknown>>;
    expect(Object.entries(event.queryStringParameters ?? {}).filter(([name]) => name !== 'token')).toEqual([
      ['constructor', '1'],
      ['toString', '2'],
      ['__proto__', '3'],
    ]);
    expect(Object.entries(event.multiValueHeaders ?? {}).filter(([name]) => ['__proto__', 'constructor', 'hasOwnProperty'].includes(name))).toEqual([
      ['__proto__', ['x']],
      ['constructor', ['y']],
      ['hasOwnProperty', ['z']],
    ]);
    await recorder.waitForDisconnect(requestContextOf(connect).connectionId);
    await servesAnotherUser();
  });
});

describe('upgrade requests ws refuses', () => {
  const BAD_UPGRADES: Array<[string, Omit<RawUpgrade, 'path'>, number]> = [
    ['Sec-WebSocket-Version 12', { headers: [['Sec-WebSocket-Version', '12']] }, 400],
    ['no Sec-WebSocket-Version', { headers: [['Sec-WebSocket-Version', undefined]] }, 400],
    ['a short Sec-WebSocket-Key', { headers: [['Sec-WebSocket-Key', 'c2hvcnQ=']] }, 400],
    ['no Sec-WebSocket-Key', { headers: [['Sec-WebSocket-Key', undefined]] }, 400],
    ['POST', { method: 'POST' }, 405],
    ['PUT', { method: 'PUT' }, 405],
    ['a protocol list with a space inside a name', { headers: [['Sec-WebSocket-Protocol', 'chat v2']] }, 400],
    ['an empty protocol in the list', { headers: [['Sec-WebSocket-Protocol', 'chat,,json']] }, 400],
    ['a protocol offered twice', { headers: [['Sec-WebSocket-Protocol', 'chat, chat']] }, 400],
    ['a quoted protocol', { headers: [['Sec-WebSocket-Protocol', '"chat"']] }, 400],
  ];

  it('answers each with its 4xx and closes it before the authorizer or $connect run: no row, and the user is not locked out', async () => {
    // Prepare
    const user = uniqueUser('bad-upgrade');
    const token = encodeURIComponent(await tokenFor(user));
    const mark = recorder.records.length;

    // Act: twice the connection cap (5) of bad upgrades
    const answers = [];
    for (const [name, upgrade, status] of BAD_UPGRADES) {
      answers.push([name, (await rawHandshake(gateway.port, { ...upgrade, path: pathWith(`token=${token}`) })).status, status]);
    }

    // Assess
    expect(answers.filter(([, got, expected]) => got !== expected)).toEqual([]);
    // (a $disconnect or frame of the test before may still be recorded here)
    expect(recorder.records.slice(mark).filter((record) => ['authorizer', '$connect'].includes(record.routeKey))).toEqual([]);
    expect(await rowsOf(user)).toEqual([]);
    const client = await open(await tokenFor(user));
    client.send({ action: 'ping' });
    await client.next(isPong, 'pong');
    await client.close();
  });

  it('runs $disconnect and leaves no open row when the client half-closes while $connect runs, five times over', async () => {
    // Prepare
    const user = uniqueUser('half-close');
    const token = encodeURIComponent(await tokenFor(user));
    const mark = recorder.records.length;

    // Act
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await rawHandshake(gateway.port, { path: pathWith(`token=${token}`), halfClose: true });
    }

    // Assess: every connection $connect accepted got its $disconnect
    const connects = recorder.records
      .slice(mark)
      .filter((record) => record.routeKey === '$connect' && record.outcome.ok)
      .map((record) => requestContextOf(record).connectionId as string);
    expect(connects).toHaveLength(5);
    for (const connectionId of connects) await recorder.waitForDisconnect(connectionId);
    // $disconnect marks each row closed (kept briefly for frames sent before the close), none stays open.
    const rows = await rowsOf(user);
    expect(rows.filter((row) => row.disconnectedAt === undefined)).toEqual([]);
    expect(rows.map((row) => row.connectionId).sort()).toEqual([...connects].sort());
    await servesAnotherUser();
    const client = await open(await tokenFor(user));
    await client.close();
  });
});
