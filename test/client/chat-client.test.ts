import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { SignJWT } from 'jose';
import {
  ChatClient,
  type ChatClientOptions,
  type ChatMessage,
  ClientValidationError,
  HistoryFailedError,
  OutboxFullError,
  SendFailedError,
  SendRefusedError,
  type ServerError,
  type StatusChange,
  type TokenRequest,
} from '../../src/client/index.ts';
import { resumePoint } from '../../src/client/message-ids.ts';
import { fakeSockets } from './support/fake-websocket.ts';
import { chat, chatFrame, errorFrame, historyFrame, idAt, pongFrame } from './support/frames.ts';

const START = Date.UTC(2026, 0, 1, 12, 0, 0);

const flush = () => jest.advanceTimersByTimeAsync(0);
const advance = (ms: number) => jest.advanceTimersByTimeAsync(ms);

type TokenSource = (request: TokenRequest) => Promise<string | null> | string | null;

const setup = (options: Partial<ChatClientOptions> = {}, tokenSource?: TokenSource) => {
  const sockets = fakeSockets();
  const tokenRequests: TokenRequest[] = [];
  const statuses: StatusChange[] = [];
  const messages: ChatMessage[] = [];
  const errors: ServerError[] = [];
  const client = new ChatClient({
    url: 'ws://gateway.test/dev',
    token: async (request) => {
      tokenRequests.push(request);
      return tokenSource ? tokenSource(request) : `token-${tokenRequests.length}`;
    },
    WebSocket: sockets.WebSocket,
    random: () => 0.5,
    ...options,
  });
  client.on('status', (status) => statuses.push(status));
  client.on('message', (message) => messages.push(message));
  client.on('error', (error) => errors.push(error));
  const connected = async () => {
    client.connect();
    await flush();
    sockets.last().accept();
    return sockets.last();
  };
  return { client, sockets, tokenRequests, statuses, messages, errors, connected };
};

const jwtExpiringAt = (expSeconds: number) =>
  new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('alice')
    .setExpirationTime(expSeconds)
    .sign(new TextEncoder().encode('k'.repeat(32)));

/** The server's copy of a chat message the client sent. */
const ackOf = (data: Record<string, unknown>, messageId = idAt(Date.now())) =>
  chat({ messageId, sessionId: data.sessionId as string, message: data.message as string, clientMessageId: data.clientMessageId as string });

beforeEach(() => {
  jest.useFakeTimers({ now: START });
});

afterEach(() => {
  jest.useRealTimers();
});

describe('ChatClient connection', () => {
  it("connects with the provider's token in the query string and reports connecting, then open", async () => {
    const { sockets, tokenRequests, statuses, connected } = setup();

    const socket = await connected();

    expect(socket.url).toBe('ws://gateway.test/dev?token=token-1');
    expect(tokenRequests).toEqual([{ reason: 'connect', attempt: 0 }]);
    expect(statuses.map((status) => status.status)).toEqual(['connecting', 'open']);
    expect(sockets.all).toHaveLength(1);
  });

  it('reconnects after a drop with a new token, backing off with full jitter and resetting after a stable period', async () => {
    const { sockets, tokenRequests, statuses, connected } = setup({ reconnect: { baseDelayMs: 1000, maxDelayMs: 4000, stableAfterMs: 30_000 } });
    await connected();

    // Four drops right after opening: the delay ceiling doubles up to the cap (random 0.5 → half of it).
    for (let drop = 0; drop < 4; drop += 1) {
      sockets.last().drop();
      const { retryInMs } = statuses.at(-1) as StatusChange;
      await advance(retryInMs as number);
      sockets.last().accept();
    }
    const delays = statuses.filter((status) => status.status === 'reconnecting').map((status) => status.retryInMs);
    // Open long enough to count as stable: the next drop starts again from the base.
    await advance(30_000);
    sockets.last().drop();

    expect(delays).toEqual([500, 1000, 2000, 2000]);
    expect(statuses.at(-1)).toMatchObject({ status: 'reconnecting', reason: 'dropped', attempt: 1, retryInMs: 500 });
    expect(tokenRequests.slice(1).map((request) => request.reason)).toEqual(['reconnect', 'reconnect', 'reconnect', 'reconnect']);
    expect(new Set(sockets.all.map((socket) => socket.token)).size).toBe(5);
  });

  it('waits the whole backoff delay before reconnecting', async () => {
    const { sockets, connected } = setup({ reconnect: { baseDelayMs: 1000 } });
    await connected();

    sockets.last().drop();
    await advance(499);
    const before = sockets.all.length;
    await advance(1);

    expect(before).toBe(1);
    expect(sockets.all).toHaveLength(2);
  });

  it('asks for a new token after a handshake that failed before opening, and gives up with status refused when it keeps failing', async () => {
    const { client, sockets, tokenRequests, statuses } = setup({ maxHandshakeFailures: 3, reconnect: { baseDelayMs: 100 } });

    client.connect();
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await flush();
      sockets.last().refuse();
      await advance(1000);
    }
    await advance(60 * 60 * 1000);

    expect(sockets.all).toHaveLength(3);
    expect(tokenRequests.map((request) => request.reason)).toEqual(['connect', 'refused', 'refused']);
    expect(statuses.at(-1)).toMatchObject({ status: 'closed', reason: 'refused' });
    expect(client.status.detail).toMatch(/401/);
  });

  it('stops after maxAttempts reconnects that never become stable', async () => {
    const { sockets, statuses, connected } = setup({ reconnect: { maxAttempts: 2, baseDelayMs: 100 } });
    await connected();

    for (let drop = 0; drop < 3; drop += 1) {
      sockets.last().drop();
      await advance(1000);
      if (drop < 2) sockets.last().accept();
    }

    expect(sockets.all).toHaveLength(3);
    expect(statuses.at(-1)).toMatchObject({ status: 'closed', reason: 'gave-up' });
  });

  it('stops with no-token when the provider has no token, without opening a socket', async () => {
    const { client, sockets, statuses } = setup({}, () => null);

    client.connect();
    await flush();

    expect(sockets.all).toHaveLength(0);
    expect(statuses.at(-1)).toMatchObject({ status: 'closed', reason: 'no-token' });
  });

  it('asks again for a token the provider gave already expired, and connects with the fresh one', async () => {
    const expired = await jwtExpiringAt(START / 1000 - 60);
    const fresh = await jwtExpiringAt(START / 1000 + 3600);
    const { client, sockets, tokenRequests } = setup({}, (request) => (request.reason === 'expired' ? fresh : expired));

    client.connect();
    await flush();

    expect(tokenRequests.map((request) => request.reason)).toEqual(['connect', 'expired']);
    expect(sockets.last().token).toBe(fresh);
  });

  it('gives up with token-expired when the provider keeps returning an expired token', async () => {
    const expired = await jwtExpiringAt(START / 1000 - 60);
    const { client, sockets, statuses } = setup({}, () => expired);

    client.connect();
    await flush();

    expect(sockets.all).toHaveLength(0);
    expect(statuses.at(-1)).toMatchObject({ status: 'closed', reason: 'token-expired' });
  });

  it('treats a FORBIDDEN error frame as an expired token: the reconnect asks the provider for a fresh one', async () => {
    const { sockets, tokenRequests, statuses, errors, connected } = setup();
    const socket = await connected();

    socket.receive(errorFrame('FORBIDDEN'));
    socket.drop(1000);
    await advance(1000);

    expect(errors.map((error) => error.code)).toEqual(['FORBIDDEN']);
    expect(statuses.at(-1)).toMatchObject({ status: 'reconnecting', reason: 'forbidden' });
    expect(tokenRequests.at(-1)).toEqual({ reason: 'expired', attempt: 1 });
    expect(sockets.all).toHaveLength(2);
  });

  it('closes on request and does not reconnect', async () => {
    const { client, sockets, statuses, connected } = setup();
    const socket = await connected();

    client.close();
    await advance(10 * 60 * 1000);

    expect(socket.closedWith).toEqual({ code: 1000, reason: 'Client closed' });
    expect(sockets.all).toHaveLength(1);
    expect(statuses.at(-1)).toMatchObject({ status: 'closed', reason: 'client-closed' });
  });

  it('refuses keep-alive and connection-age settings beyond what API Gateway allows', () => {
    const base = { url: 'ws://gateway.test/dev', token: () => 't', WebSocket: fakeSockets().WebSocket };

    expect(() => new ChatClient({ ...base, keepAlive: { intervalMs: 10 * 60 * 1000 } })).toThrow(/10 minutes/);
    expect(() => new ChatClient({ ...base, maxConnectionAgeMs: 2 * 60 * 60 * 1000 })).toThrow(/2 hours/);
    expect(() => new ChatClient({ ...base, reconnect: { baseDelayMs: 0 } })).toThrow(RangeError);
    expect(() => new ChatClient({ ...base, replyTimeoutMs: 0 })).toThrow(/replyTimeoutMs/);
    expect(() => new ChatClient({ ...base, awaitReplies: 'yes' as unknown as boolean })).toThrow(/awaitReplies/);
  });
});

describe('ChatClient keep-alive and planned reconnect', () => {
  it('pings on the interval and keeps a connection that answers', async () => {
    const { client, statuses, connected } = setup({ keepAlive: { intervalMs: 60_000, timeoutMs: 5000 } });
    const socket = await connected();

    await advance(60_000);
    socket.receive(pongFrame('conn-42'));
    await advance(60_000);
    socket.receive(pongFrame('conn-42'));
    await advance(10_000);

    expect(socket.framesOf('ping')).toHaveLength(2);
    expect(client.connectionId).toBe('conn-42');
    expect(statuses.at(-1)?.status).toBe('open');
  });

  it('marks the connection dead when no frame follows a ping within the timeout, and reconnects', async () => {
    const { sockets, statuses, connected } = setup({ keepAlive: { intervalMs: 60_000, timeoutMs: 5000 } });
    const socket = await connected();

    await advance(60_000 + 4999);
    const stillOpen = statuses.at(-1)?.status;
    await advance(1);

    expect(stillOpen).toBe('open');
    expect(socket.closedWith).toEqual({ code: 4000, reason: 'Keep-alive timeout' });
    expect(statuses.at(-1)).toMatchObject({ status: 'reconnecting', reason: 'keep-alive-timeout' });
    await advance(1000);
    expect(sockets.all).toHaveLength(2);
  });

  it('reconnects on purpose before the 2-hour limit, at once', async () => {
    const { sockets, statuses, tokenRequests, connected } = setup({ maxConnectionAgeMs: 60 * 60 * 1000 });
    const first = await connected();
    first.autoAnswer = (frame) => (frame.action === 'ping' ? pongFrame() : undefined);

    await advance(60 * 60 * 1000);
    await advance(1);

    expect(first.closedWith).toEqual({ code: 1000, reason: 'Planned reconnect before the 2-hour limit' });
    expect(statuses.at(-1)).toMatchObject({ status: 'reconnecting', reason: 'planned', retryInMs: 0 });
    expect(sockets.all).toHaveLength(2);
    expect(tokenRequests.at(-1)?.reason).toBe('reconnect');
  });

  it('resolves ping() with the pong and learns the connection id', async () => {
    const { client, connected } = setup();
    const socket = await connected();

    const pong = client.ping();
    socket.receive(pongFrame('conn-7'));

    await expect(pong).resolves.toMatchObject({ connectionId: 'conn-7' });
    expect(client.connectionId).toBe('conn-7');
  });
});

describe('ChatClient sending', () => {
  it('queues messages sent while offline and sends them in order, one exchange at a time, after the connection opens', async () => {
    const { client, messages, connected } = setup();
    const pending = ['one', 'two', 'three'].map((text) => client.send('s1', text));

    const socket = await connected();
    const history = socket.framesOf('history');
    socket.receive(historyFrame('s1', []));
    await flush();
    const sent: number[] = [socket.framesOf('chat_message').length];
    for (let index = 0; index < 3; index += 1) {
      const frame = socket.framesOf('chat_message')[index] as Record<string, unknown>;
      socket.receive(chatFrame(ackOf(frame)));
      sent.push(socket.framesOf('chat_message').length);
      socket.receive(chatFrame(chat({ messageId: idAt(Date.now()), role: 'assistant', message: `re: ${frame.message as string}` })));
      sent.push(socket.framesOf('chat_message').length);
    }

    expect(history).toHaveLength(1);
    // Each message goes out after the previous one's acknowledgement and reply, not before.
    expect(sent).toEqual([1, 1, 2, 2, 3, 3, 3]);
    expect(socket.framesOf('chat_message')).toEqual(pending.map(({ message, clientMessageId }) => ({ message, sessionId: 's1', clientMessageId })));
    const stored = await Promise.all(pending.map((entry) => entry.acknowledged));
    expect(stored.map((message) => message.message)).toEqual(['one', 'two', 'three']);
    expect(messages.map((message) => message.message)).toEqual(['one', 're: one', 'two', 're: two', 'three', 're: three']);
    expect(client.pending).toEqual([]);
  });

  it('sends the next message anyway when the reply does not come within replyTimeoutMs; streamed chunks restart the wait', async () => {
    const { client, connected } = setup({ replyTimeoutMs: 5000 });
    const socket = await connected();
    client.send('s1', 'one');
    client.send('s1', 'two');
    socket.receive(historyFrame('s1', []));
    const question = socket.framesOf('chat_message')[0] as Record<string, unknown>;
    socket.receive(chatFrame(ackOf(question)));

    await advance(4000);
    socket.receive({ type: 'chat_message_chunk', data: { messageId: idAt(Date.now()), sessionId: 's1', seq: 0, delta: 're: ' } });
    await advance(4999);
    const beforeTimeout = socket.framesOf('chat_message').length;
    await advance(1);

    expect(beforeTimeout).toBe(1);
    expect(socket.framesOf('chat_message').map((frame) => frame.message)).toEqual(['one', 'two']);
  });

  it('asks again with the same clientMessageId when the reply fails (INTERNAL_ERROR after the acknowledgement), then sends the next message', async () => {
    const { client, messages, errors, connected } = setup();
    const socket = await connected();
    const first = client.send('s1', 'one');
    client.send('s1', 'two');
    socket.receive(historyFrame('s1', []));
    await flush();
    const question = socket.framesOf('chat_message')[0] as Record<string, unknown>;
    const stored = ackOf(question);
    socket.receive(chatFrame(stored));

    socket.receive(errorFrame('INTERNAL_ERROR'));
    await advance(999);
    const duringPause = socket.framesOf('chat_message').length;
    await advance(1);
    const afterPause = socket.framesOf('chat_message').map((frame) => frame.message);
    const pendingWhileAsking = client.pending.map((entry) => entry.message);
    // The server finishes the exchange: the question again (same stored copy), then its reply.
    socket.receive(chatFrame(stored));
    socket.receive(chatFrame(chat({ messageId: idAt(Date.now()), role: 'assistant', message: 're: one' })));
    // The pause emptied the bucket: the next frame waits for one token (1 a second).
    await advance(1000);

    expect(errors.map((error) => error.code)).toEqual(['INTERNAL_ERROR']);
    expect(duringPause).toBe(1);
    expect(afterPause).toEqual(['one', 'one']);
    expect(socket.framesOf('chat_message')[1]).toEqual(question);
    expect(pendingWhileAsking).toEqual(['two']);
    await expect(first.acknowledged).resolves.toEqual(stored);
    expect(socket.framesOf('chat_message').map((frame) => frame.message)).toEqual(['one', 'one', 'two']);
    expect(messages.map((message) => message.message)).toEqual(['one', 're: one']);
  });

  it('stops asking again for a failed reply after maxSendAttempts, without reporting the stored question as failed', async () => {
    const { client, connected } = setup({ maxSendAttempts: 2 });
    const failures: string[] = [];
    client.on('sendFailed', (failure) => failures.push(failure.clientMessageId));
    const socket = await connected();
    const first = client.send('s1', 'one');
    client.send('s1', 'two');
    socket.receive(historyFrame('s1', []));
    await flush();
    const stored = ackOf(socket.framesOf('chat_message')[0] as Record<string, unknown>);

    for (let attempt = 0; attempt < 2; attempt += 1) {
      socket.receive(chatFrame(stored));
      socket.receive(errorFrame('INTERNAL_ERROR'));
      await advance(1000);
    }

    expect(socket.framesOf('chat_message').map((frame) => frame.message)).toEqual(['one', 'one', 'two']);
    expect(failures).toEqual([]);
    await expect(first.acknowledged).resolves.toEqual(stored);
  });

  it('resends the message in flight after INTERNAL_ERROR, after a pause, and counts it as a failed attempt', async () => {
    const { client, connected } = setup({ maxSendAttempts: 2 });
    const failures: string[] = [];
    client.on('sendFailed', (failure) => failures.push(failure.clientMessageId));
    const socket = await connected();
    const { clientMessageId, acknowledged } = client.send('s1', 'one');
    socket.receive(historyFrame('s1', []));
    await flush();

    socket.receive(errorFrame('INTERNAL_ERROR'));
    await advance(1000);
    const resent = socket.framesOf('chat_message').length;
    socket.receive(errorFrame('INTERNAL_ERROR'));
    await advance(1000);

    expect(resent).toBe(2);
    expect(socket.framesOf('chat_message')).toHaveLength(2);
    expect(failures).toEqual([clientMessageId]);
    await expect(acknowledged).rejects.toBeInstanceOf(SendFailedError);
  });

  it('with awaitReplies false sends the next message as soon as the previous one is acknowledged', async () => {
    const { client, connected } = setup({ awaitReplies: false });
    const socket = await connected();
    client.send('s1', 'one');
    client.send('s1', 'two');
    socket.receive(historyFrame('s1', []));

    socket.receive(chatFrame(ackOf(socket.framesOf('chat_message')[0] as Record<string, unknown>)));
    await flush();

    expect(socket.framesOf('chat_message').map((frame) => frame.message)).toEqual(['one', 'two']);
  });

  it('holds back live messages of a session until its question is acknowledged, then delivers them in messageId order', async () => {
    const { client, sockets, messages, connected } = setup();
    const first = await connected();
    const opened = client.openSession('s1');
    first.receive(historyFrame('s1', []));
    await opened;
    client.send('s1', 'are you there?');
    const sent = first.framesOf('chat_message')[0] as Record<string, unknown>;
    // The server stored the question, but its copy went to the dropped connection; the reply, stored
    // after the client resumed, reaches the new connection before the resend is acknowledged.
    const stored = ackOf(sent, idAt(Date.now()));
    const reply = chat({ messageId: idAt(Date.now() + 1), role: 'assistant', message: 'yes' });

    first.drop();
    await advance(1000);
    const second = sockets.last();
    second.accept();
    second.receive(historyFrame('s1', []));
    await flush();
    second.receive(chatFrame(reply));
    const beforeAcknowledgement = messages.length;
    second.receive(chatFrame(stored));
    await flush();

    expect(beforeAcknowledgement).toBe(0);
    expect(second.framesOf('chat_message')).toEqual([sent]);
    expect(messages.map((message) => message.messageId)).toEqual([stored.messageId, reply.messageId]);
  });

  it('delivers what it held for a question it gives up on', async () => {
    const { client, messages, connected } = setup({ requestTimeoutMs: 1000, maxSendAttempts: 1 });
    const socket = await connected();
    client.send('s1', 'hello');
    socket.receive(historyFrame('s1', []));
    const other = chat({ messageId: idAt(Date.now()), message: 'from another device' });
    socket.receive(chatFrame(other));
    const held = messages.length;

    await advance(1000);

    expect(held).toBe(0);
    expect(messages).toEqual([other]);
  });

  it('resends a message cut off by a drop with the same clientMessageId and delivers it once', async () => {
    const { client, sockets, messages, connected } = setup();
    const first = await connected();
    const { clientMessageId, acknowledged } = client.send('s1', 'are you there?');
    const sent = first.framesOf('chat_message')[0] as Record<string, unknown>;
    // The server stored it and answered, but the connection dropped before the frames arrived.
    const stored = ackOf(sent);
    const reply = chat({ messageId: idAt(Date.now() + 1), role: 'assistant', message: 'You said: are you there?' });

    first.drop();
    await advance(1000);
    const second = sockets.last();
    second.accept();
    second.receive(historyFrame('s1', [stored, reply]));
    second.receive(chatFrame(stored));

    expect(second.framesOf('chat_message')).toEqual([sent]);
    expect(sent.clientMessageId).toBe(clientMessageId);
    await expect(acknowledged).resolves.toMatchObject({ messageId: stored.messageId });
    expect(messages.map((message) => message.messageId)).toEqual([stored.messageId, reply.messageId]);
  });

  it('paces sends at the configured rate', async () => {
    // Without waiting for replies, so only the pacer shapes the sends.
    const { client, sockets } = setup({ rateLimit: { burst: 2, perSecond: 1 }, awaitReplies: false });
    for (const text of ['a', 'b', 'c', 'd']) client.send('s1', text);
    client.connect();
    await flush();
    const socket = sockets.last();
    socket.autoAnswer = (frame) => (frame.action === 'history' ? historyFrame('s1', []) : frame.action === 'chat_message' ? chatFrame(ackOf(frame.data ?? {})) : undefined);
    socket.accept();
    await flush();
    const counts: number[] = [socket.framesOf('chat_message').length];
    for (const step of [999, 1, 1000, 1000]) {
      await advance(step);
      counts.push(socket.framesOf('chat_message').length);
    }

    // The history request and 'a' take the burst; then one frame a second.
    expect(counts).toEqual([1, 1, 2, 3, 4]);
    expect(socket.framesOf('chat_message').map((frame) => frame.message)).toEqual(['a', 'b', 'c', 'd']);
    expect(client.pending).toEqual([]);
  });

  it("waits the server's retryAfterMs after RATE_LIMITED, then resends the unanswered message", async () => {
    const { client, errors, connected } = setup();
    const socket = await connected();
    client.send('s1', 'hello');
    socket.receive(historyFrame('s1', []));

    socket.receive(errorFrame('RATE_LIMITED', { retryAfterMs: 2000 }));
    await advance(1999);
    const before = socket.framesOf('chat_message').length;
    await advance(1);

    expect(errors.map((error) => error.code)).toEqual(['RATE_LIMITED']);
    expect(before).toBe(1);
    expect(socket.framesOf('chat_message')).toHaveLength(2);
    expect(socket.framesOf('chat_message')[1]).toEqual(socket.framesOf('chat_message')[0]);
  });

  it("waits the server's retryAfterMs after MODEL_BUSY, then asks again with the same clientMessageId, then sends the next message", async () => {
    const { client, messages, errors, connected } = setup();
    const socket = await connected();
    const first = client.send('s1', 'one');
    client.send('s1', 'two');
    socket.receive(historyFrame('s1', []));
    await flush();
    const question = socket.framesOf('chat_message')[0] as Record<string, unknown>;
    const stored = ackOf(question);
    socket.receive(chatFrame(stored));

    socket.receive(errorFrame('MODEL_BUSY', { retryAfterMs: 2000 }));
    await advance(1999);
    const duringPause = socket.framesOf('chat_message').length;
    await advance(1);
    const afterPause = socket.framesOf('chat_message').map((frame) => frame.message);
    const pendingWhileAsking = client.pending.map((entry) => entry.message);
    // The model answers this time: the question again (same stored copy), then its reply.
    socket.receive(chatFrame(stored));
    socket.receive(chatFrame(chat({ messageId: idAt(Date.now()), role: 'assistant', message: 're: one' })));
    await advance(1000);

    expect(errors.map((error) => error.code)).toEqual(['MODEL_BUSY']);
    expect(duringPause).toBe(1);
    expect(afterPause).toEqual(['one', 'one']);
    expect(socket.framesOf('chat_message')[1]).toEqual(question);
    expect(pendingWhileAsking).toEqual(['two']);
    await expect(first.acknowledged).resolves.toEqual(stored);
    expect(socket.framesOf('chat_message').map((frame) => frame.message)).toEqual(['one', 'one', 'two']);
    expect(messages.map((message) => message.message)).toEqual(['one', 're: one']);
  });

  it('stops asking again after MODEL_BUSY once maxSendAttempts sends are spent, without reporting the stored question as failed', async () => {
    const { client, connected } = setup({ maxSendAttempts: 3 });
    const failures: string[] = [];
    client.on('sendFailed', (failure) => failures.push(failure.clientMessageId));
    const socket = await connected();
    const first = client.send('s1', 'one');
    client.send('s1', 'two');
    socket.receive(historyFrame('s1', []));
    await flush();
    const stored = ackOf(socket.framesOf('chat_message')[0] as Record<string, unknown>);

    for (let attempt = 0; attempt < 3; attempt += 1) {
      socket.receive(chatFrame(stored));
      socket.receive(errorFrame('MODEL_BUSY', { retryAfterMs: 500 }));
      await advance(1000);
    }

    expect(socket.framesOf('chat_message').map((frame) => frame.message)).toEqual(['one', 'one', 'one', 'two']);
    expect(failures).toEqual([]);
    await expect(first.acknowledged).resolves.toEqual(stored);
  });

  it('gives up a message refused with BUDGET_EXCEEDED at once: no resend, sendFailed with the refusal, and the next message goes', async () => {
    const { client, errors, connected } = setup();
    const failures: Array<{ clientMessageId: string; error: Error }> = [];
    client.on('sendFailed', (failure) => failures.push(failure));
    const socket = await connected();
    const { clientMessageId, acknowledged } = client.send('s1', 'one');
    client.send('s1', 'two');
    socket.receive(historyFrame('s1', []));
    await flush();

    socket.receive(errorFrame('BUDGET_EXCEEDED', { retryAfterMs: 3_600_000 }));
    await advance(5000);

    expect(errors.map((error) => error.code)).toEqual(['BUDGET_EXCEEDED']);
    expect(socket.framesOf('chat_message').map((frame) => frame.message)).toEqual(['one', 'two']);
    await expect(acknowledged).rejects.toBeInstanceOf(SendRefusedError);
    await expect(acknowledged).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED', retryAfterMs: 3_600_000 });
    expect(failures.map((failure) => failure.clientMessageId)).toEqual([clientMessageId]);
    expect(client.pending.map((entry) => entry.message)).toEqual(['two']);
  });

  it('does not ask again after ASSISTANT_UNAVAILABLE: the acknowledged question stays answered by nothing, and the next message goes', async () => {
    const { client, errors, connected } = setup();
    const failures: string[] = [];
    client.on('sendFailed', (failure) => failures.push(failure.clientMessageId));
    const socket = await connected();
    const first = client.send('s1', 'one');
    client.send('s1', 'two');
    socket.receive(historyFrame('s1', []));
    await flush();
    const stored = ackOf(socket.framesOf('chat_message')[0] as Record<string, unknown>);
    socket.receive(chatFrame(stored));

    socket.receive(errorFrame('ASSISTANT_UNAVAILABLE'));
    await advance(5000);

    expect(errors.map((error) => error.code)).toEqual(['ASSISTANT_UNAVAILABLE']);
    expect(socket.framesOf('chat_message').map((frame) => frame.message)).toEqual(['one', 'two']);
    expect(failures).toEqual([]);
    await expect(first.acknowledged).resolves.toEqual(stored);
  });

  it('resends an unanswered message after the request timeout and gives it up after maxSendAttempts', async () => {
    const { client, connected } = setup({ requestTimeoutMs: 1000, maxSendAttempts: 2 });
    const failures: string[] = [];
    client.on('sendFailed', (failure) => failures.push(failure.clientMessageId));
    const socket = await connected();
    const { clientMessageId, acknowledged } = client.send('s1', 'hello');
    socket.receive(historyFrame('s1', []));

    await advance(1000);
    const resent = socket.framesOf('chat_message').length;
    await advance(1000);

    expect(resent).toBe(2);
    await expect(acknowledged).rejects.toBeInstanceOf(SendFailedError);
    expect(failures).toEqual([clientMessageId]);
    expect(client.pending).toEqual([]);
  });

  it('refuses invalid input and a full queue synchronously', () => {
    const { client } = setup({ outboxCapacity: 2 });
    client.send('s1', 'one');
    client.send('s1', 'two');

    expect(() => client.send('s1', 'three')).toThrow(OutboxFullError);
    expect(() => client.send('s1', '  ')).toThrow(ClientValidationError);
    expect(() => client.send('bad session', 'hi')).toThrow(ClientValidationError);
    expect(client.pending.map((entry) => entry.message)).toEqual(['one', 'two']);
  });
});

describe('ChatClient resume', () => {
  it('loads a session from its oldest message when it is opened', async () => {
    const { client, messages, connected } = setup();
    const socket = await connected();
    const older = [chat({ messageId: idAt(START - 2000) }), chat({ messageId: idAt(START - 1000), role: 'assistant' })];

    const caughtUp = client.openSession('s1');
    socket.receive(historyFrame('s1', older));
    await caughtUp;

    expect(socket.framesOf('history')).toEqual([{ sessionId: 's1', limit: 100 }]);
    expect(messages).toEqual(older);
  });

  it('after a reconnect fetches what was missed since the last message seen, page by page, and merges live messages in order, once', async () => {
    const { client, sockets, messages, connected } = setup();
    const first = await connected();
    const seen = chat({ messageId: idAt(START - 1000) });
    const opened = client.openSession('s1');
    first.receive(historyFrame('s1', [seen]));
    await opened;
    first.drop();
    await advance(1000);
    const second = sockets.last();
    second.accept();
    const missed = [chat({ messageId: idAt(START + 100) }), chat({ messageId: idAt(START + 200), role: 'assistant' })];
    const live = chat({ messageId: idAt(START + 300) });

    // A live message arrives before history has answered: it must wait for what it follows.
    second.receive(chatFrame(live));
    const duringResume = messages.length;
    second.receive(historyFrame('s1', [seen, ...missed], true));
    await flush();
    second.receive(historyFrame('s1', [live], false));
    await flush();
    second.receive(chatFrame(missed[1] as ChatMessage));

    expect(duringResume).toBe(1);
    expect(second.framesOf('history')).toEqual([
      { sessionId: 's1', after: resumePoint(seen.messageId, 5000), limit: 100 },
      { sessionId: 's1', after: (missed[1] as ChatMessage).messageId, limit: 100 },
    ]);
    expect(messages.map((message) => message.messageId)).toEqual([seen, ...missed, live].map((message) => message.messageId));
  });

  it('keeps live messages held back when the resume is cut short, and delivers them after the next one', async () => {
    const { client, sockets, messages, connected } = setup();
    const first = await connected();
    const opened = client.openSession('s1');
    first.receive(historyFrame('s1', []));
    await opened;
    first.drop();
    await advance(1000);
    sockets.last().accept();
    const live = chat({ messageId: idAt(START + 500) });
    sockets.last().receive(chatFrame(live));

    sockets.last().drop();
    await advance(5000);
    const third = sockets.last();
    third.accept();
    const missed = chat({ messageId: idAt(START + 100) });
    third.receive(historyFrame('s1', [missed, live]));
    await flush();

    expect(sockets.all).toHaveLength(3);
    expect(messages.map((message) => message.messageId)).toEqual([missed.messageId, live.messageId]);
  });

  it('looks at history again after a reconnect while a reply may still be coming, until it arrives', async () => {
    const { client, sockets, messages, connected } = setup({ replyRecheckMs: 2000, replyRechecks: 3 });
    const first = await connected();
    const opened = client.openSession('s1');
    first.receive(historyFrame('s1', []));
    await opened;
    const question = chat({ messageId: idAt(START + 10) });
    first.receive(chatFrame(question));
    first.drop();
    await advance(1000);
    const second = sockets.last();
    second.accept();
    // The reply is still being produced: the resume finds only the question.
    second.receive(historyFrame('s1', [question]));
    await flush();
    const afterResume = second.framesOf('history').length;
    await advance(2000);
    const reply = chat({ messageId: idAt(START + 20), role: 'assistant', message: 'late reply' });
    second.receive(historyFrame('s1', [question, reply]));
    await advance(60_000);

    expect(afterResume).toBe(1);
    expect(second.framesOf('history')).toHaveLength(2);
    expect(messages.map((message) => message.message)).toEqual(['hello', 'late reply']);
  });

  it('closeSession rejects an openSession still waiting and stops looking again for its reply', async () => {
    const { client, sockets, connected } = setup({ replyRecheckMs: 1000, replyRechecks: 3 });
    const offline = client.openSession('s2').then(
      () => 'caught up',
      (error: Error) => error.message,
    );
    client.closeSession('s2');
    const first = await connected();
    const opened = client.openSession('s1');
    first.receive(historyFrame('s1', [chat({ messageId: idAt(START - 10) })]));
    await opened;
    first.drop();
    await advance(1000);
    const second = sockets.last();
    second.accept();
    second.receive(historyFrame('s1', []));
    await flush();

    client.closeSession('s1');
    await advance(60_000);

    expect(await offline).toBe('Session s2 was closed before it caught up');
    expect(first.framesOf('history')).toEqual([{ sessionId: 's1', limit: 100 }]);
    expect(second.framesOf('history')).toHaveLength(1);
  });

  it('stops looking again once the reply arrives live, and after replyRechecks attempts', async () => {
    const { client, sockets, connected } = setup({ replyRecheckMs: 1000, replyRechecks: 2 });
    const first = await connected();
    const opened = client.openSession('s1');
    first.receive(historyFrame('s1', [chat({ messageId: idAt(START - 10) })]));
    await opened;
    await advance(60_000);
    const onFirstConnection = first.framesOf('history').length;

    first.drop();
    await advance(1000);
    const second = sockets.last();
    second.autoAnswer = (frame) => (frame.action === 'history' ? historyFrame('s1', []) : undefined);
    second.accept();
    await advance(1000 + 2000 + 60_000);
    const unanswered = second.framesOf('history').length;
    second.drop();
    await advance(5000);
    const third = sockets.last();
    third.accept();
    third.receive(historyFrame('s1', []));
    third.receive(chatFrame(chat({ messageId: idAt(START + 5), role: 'assistant' })));
    await advance(60_000);

    expect(onFirstConnection).toBe(1);
    expect(unanswered).toBe(3);
    expect(third.framesOf('history')).toHaveLength(1);
  });

  it('resends a history request the server rate limited', async () => {
    const { client, connected } = setup();
    const socket = await connected();
    void client.openSession('s1');

    socket.receive(errorFrame('RATE_LIMITED', { retryAfterMs: 1000 }));
    await advance(1000);

    expect(socket.framesOf('history')).toHaveLength(2);
  });

  it('gives up on a history page that never comes after maxHistoryAttempts requests with backoff: openSession rejects and held live messages are delivered', async () => {
    // Prepare: jitter 0.5 → backoff 500 ms after the first failure, 1000 ms after the second
    const { client, messages, connected } = setup({ requestTimeoutMs: 15_000, maxHistoryAttempts: 3 });
    const failures: Array<{ sessionId: string; error: Error }> = [];
    client.on('historyFailed', (failure) => failures.push(failure));
    const socket = await connected();
    const settled = client.openSession('s1').then(
      () => 'caught up',
      (error: Error) => error,
    );
    const live = chat({ messageId: idAt(START + 100) });
    socket.receive(chatFrame(live));
    const heldBack = messages.length;
    // Act
    await advance(15_000 + 499);
    const beforeBackoffEnds = socket.framesOf('history').length;
    await advance(1);
    await advance(15_000 + 1000);
    const third = socket.framesOf('history').length;
    await advance(15_000);
    await advance(60_000);
    // Assess
    expect(heldBack).toBe(0);
    expect([beforeBackoffEnds, third]).toEqual([1, 3]);
    expect(socket.framesOf('history')).toHaveLength(3);
    const outcome = await settled;
    expect(outcome).toBeInstanceOf(HistoryFailedError);
    expect(outcome).toMatchObject({ sessionId: 's1', attempts: 3 });
    expect(failures.map((failure) => failure.sessionId)).toEqual(['s1']);
    expect(messages).toEqual([live]);
  });

  it('asks for half the page after MESSAGE_TOO_LARGE, then pages on', async () => {
    const { client, messages, errors, connected } = setup({ historyPageSize: 100 });
    const socket = await connected();
    const caughtUp = client.openSession('s1');
    const older = [chat({ messageId: idAt(START - 2000) }), chat({ messageId: idAt(START - 1000), role: 'assistant' })];

    socket.receive(errorFrame('MESSAGE_TOO_LARGE'));
    await advance(500);
    socket.receive(historyFrame('s1', older.slice(0, 1), true));
    await flush();
    socket.receive(historyFrame('s1', older.slice(1), false));
    await caughtUp;

    expect(socket.framesOf('history')).toEqual([
      { sessionId: 's1', limit: 100 },
      { sessionId: 's1', limit: 50 },
      { sessionId: 's1', after: older[0]?.messageId, limit: 100 },
    ]);
    expect(errors.map((error) => error.code)).toEqual(['MESSAGE_TOO_LARGE']);
    expect(messages).toEqual(older);
  });

  it('emits streamed chunks as they come', async () => {
    const { client, connected } = setup();
    const chunks: string[] = [];
    client.on('chunk', (chunk) => chunks.push(chunk.delta));
    const socket = await connected();

    socket.receive({ type: 'chat_message_chunk', data: { messageId: idAt(START), sessionId: 's1', seq: 0, delta: 'You ' } });
    socket.receive({ type: 'chat_message_chunk', data: { messageId: idAt(START), sessionId: 's1', seq: 1, delta: 'said' } });

    expect(chunks).toEqual(['You ', 'said']);
  });

  it('uses chunk offsets to emit each piece of a reply once, with no gap', async () => {
    const { client, connected } = setup();
    const chunks: Array<[number, string]> = [];
    client.on('chunk', (chunk) => chunks.push([chunk.offset, chunk.delta]));
    const socket = await connected();
    const messageId = idAt(START);
    const chunk = (seq: number, offset: number, delta: string) => ({ type: 'chat_message_chunk', data: { messageId, sessionId: 's1', seq, offset, delta } });

    socket.receive(chunk(0, 0, 'Yo😀 '));
    socket.receive(chunk(0, 0, 'Yo😀 ')); // the same post twice
    socket.receive(chunk(1, 2, '😀 said')); // overlaps what was shown
    socket.receive(chunk(3, 20, 'lost before')); // a chunk went missing: the rest waits for the complete reply
    socket.receive(chatFrame(chat({ messageId, role: 'assistant', message: 'Yo😀 said' })));
    socket.receive(chunk(0, 0, 'late'));

    expect(chunks).toEqual([
      [0, 'Yo😀 '],
      [4, 'said'],
    ]);
  });
});
