/**
 * Per-user limits over real WebSockets through the local gateway (src/handlers, DynamoDB Local): a
 * client that reconnects to get a fresh bucket, a connect flood, and a socket that keeps sending
 * refused frames.
 */

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tokenFor, uniqueUser } from '#testkit/tokens.ts';
import { isError, isPong, refusalStatus, TestClient } from '#testkit/ws-client.ts';
import { type LocalGateway, startLocalGateway } from '../../src/local/gateway/gateway.ts';

/** Burst 10 that never refills during the run: the user's whole allowance is exactly 10 frames. */
const FRAME_BURST = 10;
const CONNECT_BURST = 8;
const REFUSAL_LIMIT = 6;

let gateway: LocalGateway;
const clients: TestClient[] = [];

beforeAll(async () => {
  gateway = await startLocalGateway({
    port: 0,
    environment: `e2elim${randomUUID().slice(0, 8)}`,
    maxSandboxesPerFunction: 1,
    functionEnvironment: {
      RATE_LIMIT_BURST: String(FRAME_BURST),
      RATE_LIMIT_PER_SECOND: '0.001',
      CONNECT_RATE_BURST: String(CONNECT_BURST),
      CONNECT_RATE_PER_SECOND: '0.001',
      REFUSAL_LIMIT: String(REFUSAL_LIMIT),
      MAX_CONNECTIONS_PER_USER: '10',
    },
  });
}, 120_000);
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await gateway?.stop();
});

const open = async (user: string) => {
  const client = await TestClient.connect(gateway.url, { token: await tokenFor(user) });
  clients.push(client);
  return client;
};

describe('per-user limits through the local gateway', () => {
  it(`a client that reconnects after every few frames still gets only its user's ${FRAME_BURST} frames`, async () => {
    const user = uniqueUser('looper');
    let admitted = 0;
    let limited = 0;
    for (let round = 0; round < 6; round += 1) {
      const client = await open(user);
      for (let index = 0; index < 5; index += 1) client.send({ action: 'ping' });
      const answers = await client.collect(5, (frame) => isPong(frame) || isError('RATE_LIMITED')(frame), 'answers');
      admitted += answers.filter(isPong).length;
      limited += answers.filter(isError('RATE_LIMITED')).length;
      await client.close();
    }
    expect({ admitted, limited }).toEqual({ admitted: FRAME_BURST, limited: 30 - FRAME_BURST });
  }, 120_000);

  it(`refuses a connect flood with 429 at the handshake after ${CONNECT_BURST} connects, though none stayed open`, async () => {
    const user = uniqueUser('flooder');
    for (let index = 0; index < CONNECT_BURST; index += 1) await (await open(user)).close();
    const refused = await refusalStatus(gateway.url, { token: await tokenFor(user) });
    expect(refused.status).toBe(429);
    expect(refused.body).toContain('Too many connection attempts');
    // Another user is not affected.
    await (await open(uniqueUser('bystander'))).close();
  }, 120_000);

  it(`closes a socket after ${REFUSAL_LIMIT} refused frames, each answered first`, async () => {
    const client = await open(uniqueUser('noisy'));
    for (let index = 0; index < REFUSAL_LIMIT; index += 1) client.send({ action: 'dance' });
    const answers = await client.collect(REFUSAL_LIMIT, isError('UNKNOWN_ACTION'), 'refusals');
    expect(answers).toHaveLength(REFUSAL_LIMIT);
    // Closed by the server through the management API (DeleteConnection), as API Gateway does it.
    expect((await client.closed).code).toBe(1000);
  }, 60_000);
});
