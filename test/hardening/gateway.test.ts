/**
 * Generated frames over a real WebSocket through the local gateway (API Gateway's route selection,
 * Lambda-like sandboxes running src/handlers, DynamoDB Local), and the Origin allow-list at the
 * handshake. Tokens are registered: a log line containing one fails the file.
 */

import { randomUUID } from 'node:crypto';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { clientFrame } from '#testkit/hardening/frames.ts';
import { FrameJudge } from '#testkit/hardening/judge.ts';
import { trackProcessFaults } from '#testkit/hardening/process-faults.ts';
import { testDocumentClient } from '#testkit/tables.ts';
import { tokenFor, uniqueUser } from '#testkit/tokens.ts';
import { isPong, refusalStatus, TestClient } from '#testkit/ws-client.ts';
import { bucketKey } from '../../src/data/gcra-bucket.ts';
import { type InvocationRecord, type LocalGateway, startLocalGateway } from '../../src/local/gateway/gateway.ts';

const FRAMES = 40;
const INTERVAL_MS = 1_000_000;
const ALLOWED_ORIGIN = 'https://chat.example.com';
/** API Gateway's frame limit: larger frames close the socket (1009), which the gateway tests cover. */
const FRAME_LIMIT_BYTES = 32 * 1024;

let gateway: LocalGateway;
const invocations: InvocationRecord[] = [];
/** Every log line of the functions, kept here (not on stdout) so it can be checked after the gateway stops. */
const functionLogs: string[] = [];
const tokens: string[] = [];
const clients: TestClient[] = [];
const db = testDocumentClient();
const processFaults = trackProcessFaults();

beforeAll(async () => {
  gateway = await startLocalGateway({
    port: 0,
    environment: `th${randomUUID().slice(0, 8)}`,
    // One sandbox per function keeps two cores free for the rest of the run.
    maxSandboxesPerFunction: 1,
    // Refusals never close the fuzzed connection here (refusal-limit.test.ts covers that).
    functionEnvironment: { RATE_LIMIT_BURST: '10000', RATE_LIMIT_PER_SECOND: String(1000 / INTERVAL_MS), REFUSAL_LIMIT: '100000' },
    authorizerEnvironment: { ALLOWED_ORIGINS: `${ALLOWED_ORIGIN},https://admin.example.com` },
    onInvoke: (record) => invocations.push(record),
    onLog: (_functionName, line) => functionLogs.push(line),
  });
}, 120_000);
afterAll(async () => {
  processFaults.stop();
  await Promise.all(clients.map((client) => client.close()));
  await gateway?.stop();
  db.destroy();
  // $disconnect logs after the clients close: checked here, once everything has run.
  expect(functionLogs.length).toBeGreaterThan(0);
  expect(functionLogs.filter((line) => tokens.some((token) => line.includes(token)))).toEqual([]);
});

const token = async (user: string) => {
  const minted = await tokenFor(user);
  tokens.push(minted);
  return minted;
};

const open = async (user: string, headers: Record<string, string> = {}) => {
  const client = await TestClient.connect(gateway.url, { token: await token(user), headers });
  clients.push(client);
  return client;
};

/** Resolves once `client` has received `count` frames in all (a guard against hanging, not a speed check). */
const received = async (client: TestClient, count: number): Promise<void> => {
  const deadline = Date.now() + 20_000;
  while (client.received.length < count) {
    if (Date.now() > deadline) throw new Error(`waited for ${count} frames, have ${JSON.stringify(client.received.slice(-3))}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

const framesExpected = (judge: FrameJudge, raw: string): number => {
  const expected = judge.expect(raw);
  return expected.kind === 'chat' && !expected.original ? 2 : 1;
};

describe('generated frames over a real WebSocket through the local gateway', () => {
  it(`answers ${FRAMES} generated frames as the protocol says, with no gateway error and no write for invalid ones`, async () => {
    // Prepare
    const user = uniqueUser('gwfuzz');
    const client = await open(user, { Origin: ALLOWED_ORIGIN });
    client.send({ action: 'ping' });
    const connectionId = (await client.next(isPong, 'pong')).data.connectionId as string;
    const judge = new FrameJudge(user, connectionId);
    const frames = fc
      .sample(clientFrame, FRAMES * 2)
      .map((raw) => Buffer.from(raw, 'utf8').toString('utf8')) // what a UTF-8 text frame can carry
      .filter((raw) => Buffer.byteLength(raw) <= FRAME_LIMIT_BYTES)
      .slice(0, FRAMES);
    let total = client.received.length;

    // Act + Assess, frame by frame
    const problems: string[] = [];
    for (const raw of frames) {
      const count = framesExpected(judge, raw);
      client.send(raw);
      await received(client, total + count);
      problems.push(...judge.check(raw, client.received.slice(total, total + count) as Array<Record<string, any>>, 'ok'));
      total += count;
    }
    client.send({ action: 'ping' });
    await received(client, total + 1);
    expect(client.received.at(-1)).toMatchObject({ type: 'pong' });

    // Assess: nothing extra arrived, no invocation failed, the tables hold only what valid frames wrote
    expect(problems).toEqual([]);
    expect(client.received).toHaveLength(total + 1);
    expect(invocations.filter((record) => !record.outcome.ok)).toEqual([]);
    const { Items = [] } = await db.send(new ScanCommand({ TableName: gateway.tables.messages, ConsistentRead: true }));
    expect(Items).toHaveLength(judge.expectedItems);
    const bucket = (await db.send(new GetCommand({ TableName: gateway.tables.connections, Key: { connectionId: bucketKey('frames', user) }, ConsistentRead: true }))).Item;
    expect(Math.round(((bucket?.rateTat as number) - Date.now()) / INTERVAL_MS)).toBe(judge.admitted + 2);
    expect(processFaults.faults).toEqual([]);
  });
});

describe('the Origin allow-list at the handshake', () => {
  it('lets a listed origin and a client without Origin connect, and refuses an unlisted origin with 403', async () => {
    const listed = await open(uniqueUser('origin'), { Origin: 'https://admin.example.com' });
    const noOrigin = await open(uniqueUser('origin'));
    for (const client of [listed, noOrigin]) {
      client.send({ action: 'ping' });
      await client.next(isPong, 'pong');
    }
    for (const origin of ['https://evil.example.com', 'https://chat.example.com.evil.net', 'null']) {
      const { status } = await refusalStatus(gateway.url, { token: await token(uniqueUser('origin')), headers: { Origin: origin } });
      expect(status).toBe(403);
    }
  });

  it('lets any origin connect when no allow-list is configured', async () => {
    const open = await startLocalGateway({
      port: 0,
      environment: `th${randomUUID().slice(0, 8)}`,
      maxSandboxesPerFunction: 1,
      onLog: (_functionName, line) => functionLogs.push(line),
    });
    try {
      for (const origin of ['https://evil.example.com', 'null', ALLOWED_ORIGIN]) {
        const client = await TestClient.connect(open.url, { token: await token(uniqueUser('any')), headers: { Origin: origin } });
        client.send({ action: 'ping' });
        await client.next(isPong, 'pong');
        await client.close();
      }
    } finally {
      await open.stop();
    }
  });
});
