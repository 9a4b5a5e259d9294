/**
 * Connection lifetime end to end: the project's functions behind the local gateway, real sockets.
 * A listen-only connection keeps receiving past the idle timeout; a connection whose token expired
 * stops receiving and is closed; frames sent just before a close are all processed.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { storedMessages as storedInSession } from '#testkit/stored-messages.ts';
import { testDocumentClient } from '#testkit/tables.ts';
import { tokenFor, uniqueUser } from '#testkit/tokens.ts';
import { type Frame, isChat, TestClient } from '#testkit/ws-client.ts';
import { type LocalGateway, startLocalGateway } from '../../src/local/gateway/gateway.ts';

/** Shortened idle timeouts: the gateway's, and the one a row following the idle clock would use. */
const GATEWAY_IDLE_MS = 5_000;
/** The echo responder: these checks are about delivery, and assert its `You said: ...` replies. */
const FUNCTION_ENVIRONMENT = { CONNECTION_IDLE_TIMEOUT_SECONDS: '1', RATE_LIMIT_BURST: '100', RESPONDER: 'echo' };

const db = testDocumentClient();
const clients: TestClient[] = [];
const open = async (gateway: LocalGateway, user: string, token?: string): Promise<TestClient> => {
  const client = await TestClient.connect(gateway.url, { token: token ?? (await tokenFor(user)) });
  clients.push(client);
  return client;
};
const chat = (message: string, clientMessageId?: string, sessionId = 'life') => ({
  action: 'chat_message',
  data: { message, sessionId, ...(clientMessageId ? { clientMessageId } : {}) },
});
/** The user's stored messages of the session `life`, and of `life-0`... `life-<count - 1>`. */
const storedMessages = async (gateway: LocalGateway, user: string, count = 0) => {
  const sessions = ['life', ...Array.from({ length: count }, (_, index) => `life-${index}`)];
  return (await Promise.all(sessions.map((sessionId) => storedInSession(db, gateway.tables.messages, user, sessionId)))).flat();
};
const roleOf = (frame: Frame) => `${frame.data.role}:${frame.data.message}`;
const isChatFrame = (frame: Frame) => frame.type === 'chat_message';

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  db.destroy();
});

describe('a listen-only connection (gateway idle timeout shortened to 5 s)', () => {
  let gateway: LocalGateway;
  beforeAll(async () => {
    gateway = await startLocalGateway({ port: 0, environment: 'e2e-life-idle', idleTimeoutMs: GATEWAY_IDLE_MS, functionEnvironment: FUNCTION_ENVIRONMENT });
  }, 120_000);
  afterAll(() => gateway?.stop());

  it("keeps receiving the user's messages long after its last frame, and stays open", async () => {
    // Prepare: warm functions (a cold start must not eat into the idle timeout); the listener never sends a frame
    const user = uniqueUser('listener');
    const speaker = await open(gateway, user);
    speaker.send(chat('warming up'));
    // A cold start under load may outlast the short idle timeout: the speaker keeps talking meanwhile.
    const keepAlive = setInterval(() => speaker.send({ action: 'ping' }), GATEWAY_IDLE_MS / 3);
    await speaker.next(isChat('assistant'), 'the warm-up reply').finally(() => clearInterval(keepAlive));
    const listener = await open(gateway, user);
    const rounds = 5;
    // Act: the other device talks for longer than both idle timeouts, pausing between messages
    for (let round = 0; round < rounds; round += 1) {
      speaker.send(chat(`round ${round}`));
      await speaker.next(isChat('assistant'), `reply ${round}`);
      await sleep(GATEWAY_IDLE_MS / 3);
    }
    // Assess
    const heard = await listener.collect(2 * rounds, isChatFrame, 'messages');
    expect(heard.map(roleOf)).toEqual(Array.from({ length: rounds }, (_, round) => [`user:round ${round}`, `assistant:You said: round ${round}`]).flat());
    expect(listener.socket.readyState).toBe(listener.socket.OPEN);
  });
});

describe("connections with the gateway's own idle timeout", () => {
  let gateway: LocalGateway;
  beforeAll(async () => {
    gateway = await startLocalGateway({ port: 0, environment: 'e2e-life', functionEnvironment: FUNCTION_ENVIRONMENT });
  }, 120_000);
  afterAll(() => gateway?.stop());

  it('stops sending to a connection whose token has expired, and closes it', async () => {
    // Prepare: the tablet's token expires two seconds from now; it only listens
    const user = uniqueUser('expiring');
    const mintedAt = Math.floor(Date.now() / 1000);
    const tablet = await open(gateway, user, await tokenFor(user, { ttlSeconds: 2, nowSeconds: mintedAt }));
    const laptop = await open(gateway, user);
    await sleep((mintedAt + 2) * 1000 + 100 - Date.now());
    // Act
    laptop.send(chat("after the tablet's token expired"));
    // Assess
    await laptop.next(isChat('assistant'), 'the reply');
    expect(await tablet.closed).toEqual({ code: 1000, reason: '' });
    expect(tablet.received).toEqual([]);
  });

  it("processes every frame sent just before close(): all 50 messages stored and delivered to the user's other connection", async () => {
    // Prepare
    const user = uniqueUser('closing');
    const phone = await open(gateway, user);
    const laptop = await open(gateway, user);
    const count = 50;
    // Act: 50 frames (a session each: a session answers one question at a time), then close at once;
    // most reach their function after $disconnect has run
    for (let index = 0; index < count; index += 1) phone.send(chat(`m${index}`, `c${index}`, `life-${index}`));
    await phone.close();
    // Assess
    const delivered = await laptop.collect(2 * count, isChatFrame, 'messages');
    expect(
      delivered
        .filter((frame) => frame.data.role === 'user')
        .map((frame) => frame.data.message)
        .sort(),
    ).toEqual(Array.from({ length: count }, (_, index) => `m${index}`).sort());
    const Items = await storedMessages(gateway, user, count);
    expect(Items.filter((item) => item.role === 'user')).toHaveLength(count);
    expect(Items.filter((item) => item.role === 'assistant')).toHaveLength(count);
  });
});

describe('a graceful stop of the gateway', () => {
  it('processes every frame it received before stopping: all 50 messages stored', async () => {
    // Prepare: a gateway of its own, warmed up so the frames queue behind warm sandboxes
    const gateway = await startLocalGateway({ port: 0, environment: 'e2e-life-stop', functionEnvironment: FUNCTION_ENVIRONMENT });
    const user = uniqueUser('stopping');
    const phone = await open(gateway, user);
    phone.send(chat('warming up'));
    await phone.next(isChat('assistant'), 'the warm-up reply');
    const count = 50;
    // Act: 50 frames (a session each) reach the gateway (loopback), then it stops as Ctrl-C stops `npm start`
    for (let index = 0; index < count; index += 1) phone.send(chat(`m${index}`, `c${index}`, `life-${index}`));
    await sleep(200);
    await gateway.stop();
    // Assess: the questions were stored although their connection closed while they waited
    const Items = await storedMessages(gateway, user, count);
    expect(Items.filter((item) => item.role === 'user' && item.message !== 'warming up')).toHaveLength(count);
  }, 60_000);
});
