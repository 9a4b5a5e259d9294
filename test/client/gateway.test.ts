/**
 * The client against the local gateway running the project's handlers, over loopback, with Node's
 * standard WebSocket: drops forced through the management API, tokens that expire or are refused,
 * and a server bucket smaller than the client's, so the flush after a reconnect meets RATE_LIMITED.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { fakeAnswer } from '#testkit/fake-answers.ts';
import { tokenFor, uniqueUser } from '#testkit/tokens.ts';
import { ChatClient, type ChatClientOptions, type TokenReason } from '../../src/client/index.ts';
import { type ClientGateway, gate, record, startClientGateway, texts, waitFor } from './support/harness.ts';

const FAST_RECONNECT = { baseDelayMs: 50, maxDelayMs: 400 };

describe('ChatClient against the local gateway', () => {
  let harness: ClientGateway;
  const clients: ChatClient[] = [];
  const newClient = (options: Omit<ChatClientOptions, 'url'>): ChatClient => {
    const client = new ChatClient({ url: harness.gateway.url, reconnect: FAST_RECONNECT, ...options });
    clients.push(client);
    return client;
  };
  const tokensUsedAtHandshake = (tokens: string[]): string[] =>
    harness.invocations
      .filter((invocation) => invocation.routeKey === 'authorizer')
      .map((invocation) => (invocation.event as { queryStringParameters?: { token?: string } }).queryStringParameters?.token ?? '')
      .filter((token) => tokens.includes(token));

  beforeAll(async () => {
    // A bucket smaller than the client's default (10, 1/s): the client must recover from RATE_LIMITED.
    harness = await startClientGateway({ RATE_LIMIT_BURST: '4', RATE_LIMIT_PER_SECOND: '2' });
  }, 180_000);

  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });

  afterAll(async () => {
    await harness?.gateway.stop();
  });

  it('reconnects after the server deletes its connection mid-conversation, and has every message once, in order', async () => {
    // Prepare
    const user = uniqueUser('alice');
    let hold: ReturnType<typeof gate> | undefined;
    const client = newClient({
      token: async () => {
        await hold?.opened;
        return tokenFor(user);
      },
    });
    const seen = record(client);
    client.connect();
    await client.openSession('conv');
    await client.send('conv', 'one').acknowledged;
    await waitFor(() => texts(seen.messages).includes(`assistant: ${fakeAnswer('one')}`), 'the first reply');
    const { connectionId: first } = await client.ping();

    // Act: the server drops the connection; the reconnect waits while the conversation goes on elsewhere.
    hold = gate();
    expect(await harness.deleteConnection(first)).toBe(204);
    await waitFor(() => client.status.status === 'reconnecting', 'reconnecting');
    const queued = client.send('conv', 'two');
    const otherDevice = newClient({ token: () => tokenFor(user) });
    const otherSeen = record(otherDevice);
    otherDevice.connect();
    await otherDevice.openSession('conv');
    await otherDevice.send('conv', 'from the other device').acknowledged;
    await waitFor(() => texts(otherSeen.messages).includes(`assistant: ${fakeAnswer('from the other device', 2)}`), "the other device's reply");
    hold.open();
    await queued.acknowledged;
    await waitFor(() => texts(seen.messages).includes(`assistant: ${fakeAnswer('two', 3)}`), 'the reply to the queued message');
    await waitFor(
      () => otherSeen.messages.length === 6,
      'the other device to see the whole conversation',
      () => texts(otherSeen.messages),
    );
    const { connectionId: second } = await client.ping();

    // Assess
    expect(texts(seen.messages)).toEqual([
      'user: one',
      `assistant: ${fakeAnswer('one')}`,
      'user: from the other device',
      `assistant: ${fakeAnswer('from the other device', 2)}`,
      'user: two',
      `assistant: ${fakeAnswer('two', 3)}`,
    ]);
    const ids = seen.messages.map((message) => message.messageId);
    expect(ids).toEqual([...ids].sort());
    expect(ids).toEqual(otherSeen.messages.map((message) => message.messageId));
    expect(second).not.toBe(first);
    expect(seen.statuses.map((status) => status.status)).toEqual(['connecting', 'open', 'reconnecting', 'open']);
    expect(seen.statuses[2]).toMatchObject({ reason: 'dropped', attempt: 1 });
    expect(client.pending).toEqual([]);
  });

  it('sends what was queued before connecting, beyond the server burst, each once and in order', async () => {
    const user = uniqueUser('carol');
    const client = newClient({ token: () => tokenFor(user) });
    const seen = record(client);
    const words = ['a1', 'b2', 'c3', 'd4', 'e5', 'f6'];
    const pending = words.map((word) => client.send('burst', word));

    client.connect();
    const stored = await Promise.all(pending.map((entry) => entry.acknowledged));
    await waitFor(() => seen.messages.filter((message) => message.role === 'assistant').length === words.length, 'every reply');
    const observer = newClient({ token: () => tokenFor(user) });
    const history = record(observer);
    observer.connect();
    await observer.openSession('burst');

    expect(stored.map((message) => message.message)).toEqual(words);
    const userTexts = seen.messages.filter((message) => message.role === 'user').map((message) => message.message);
    expect(userTexts).toEqual(words);
    // One exchange at a time: each question is answered with every earlier exchange as context.
    for (const [index, word] of words.entries()) {
      const question = seen.messages.findIndex((message) => message.message === word);
      const answer = seen.messages.findIndex((message) => message.message === fakeAnswer(word, index + 1));
      expect(answer).toBeGreaterThan(question);
    }
    expect(new Set(seen.messages.map((message) => message.messageId)).size).toBe(12);
    expect([...seen.messages.map((message) => message.messageId)].sort()).toEqual(history.messages.map((message) => message.messageId));
  });

  it('reconnects with the provider’s fresh token when the server refuses a frame after the token expired', async () => {
    const user = uniqueUser('dave');
    const issued: string[] = [];
    const reasons: TokenReason[] = [];
    const client = newClient({
      token: async ({ reason }) => {
        reasons.push(reason);
        const token = await tokenFor(user, { ttlSeconds: issued.length === 0 ? 2 : 3600 });
        issued.push(token);
        return token;
      },
    });
    const seen = record(client);
    client.connect();
    await waitFor(() => client.status.status === 'open', 'open');
    const { connectionId: first } = await client.ping();
    const expiresAtMs = JSON.parse(atob((issued[0] as string).split('.')[1] as string)).exp * 1000;
    await waitFor(() => Date.now() > expiresAtMs + 50, "the first token's expiry");

    const { acknowledged } = client.send('expiry', 'after expiry');
    const stored = await acknowledged;
    const { connectionId: second } = await client.ping();
    // The copy reaches the application after the new connection's resume (history) finishes.
    await waitFor(() => seen.messages.some((message) => message.messageId === stored.messageId), 'the stored copy delivered');

    expect(seen.errors.map((error) => error.code)).toContain('FORBIDDEN');
    expect(reasons).toEqual(['connect', 'expired']);
    expect(tokensUsedAtHandshake(issued)).toEqual(issued);
    expect(issued).toHaveLength(2);
    expect(second).not.toBe(first);
    expect(seen.statuses.find((status) => status.status === 'reconnecting')).toMatchObject({ reason: 'forbidden' });
    expect(seen.messages.filter((message) => message.messageId === stored.messageId)).toHaveLength(1);
  });

  it('stops reconnecting when the server keeps refusing the token, after asking the provider for a new one', async () => {
    const user = uniqueUser('erin');
    const badToken = await tokenFor(user, { secret: 'a-secret-the-gateway-does-not-know-0123456789' });
    const reasons: TokenReason[] = [];
    const client = newClient({
      token: ({ reason }) => {
        reasons.push(reason);
        return badToken;
      },
      maxHandshakeFailures: 3,
    });
    const seen = record(client);

    client.connect();
    await waitFor(() => client.status.status === 'closed', 'the client to give up');
    const handshakesAtGiveUp = tokensUsedAtHandshake([badToken]).length;
    await new Promise((resolve) => setTimeout(resolve, FAST_RECONNECT.maxDelayMs * 3));

    expect(client.status).toMatchObject({ status: 'closed', reason: 'refused' });
    expect(reasons).toEqual(['connect', 'refused', 'refused']);
    expect(seen.statuses.map((status) => status.status)).toEqual(['connecting', 'reconnecting', 'reconnecting', 'closed']);
    // Node's built-in WebSocket (undici) repeats a handshake answered 401 once, so each attempt may reach the authorizer twice.
    expect(handshakesAtGiveUp).toBeGreaterThanOrEqual(3);
    expect(handshakesAtGiveUp).toBeLessThanOrEqual(6);
    expect(tokensUsedAtHandshake([badToken])).toHaveLength(handshakesAtGiveUp);
    expect(harness.invocations.filter((invocation) => invocation.routeKey === '$connect' && JSON.stringify(invocation.event).includes(user))).toEqual([]);
  });
});
