/**
 * Each connection is one object disposed as a whole: what arrives late from one the client has
 * abandoned (a token, a frame, a close) never touches the client or the connection after it.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { ChatClient, type StatusChange, type TokenRequest } from '../../src/client/index.ts';
import { fakeSockets } from './support/fake-websocket.ts';
import { pongFrame } from './support/frames.ts';

const flush = () => jest.advanceTimersByTimeAsync(0);

const setup = (token: (request: TokenRequest) => Promise<string>, options: { maxConnectionAgeMs?: number } = {}) => {
  const sockets = fakeSockets();
  const statuses: StatusChange[] = [];
  const client = new ChatClient({ url: 'ws://gateway.test/dev', token, WebSocket: sockets.WebSocket, random: () => 0.5, ...options });
  client.on('status', (status) => statuses.push(status));
  return { client, sockets, statuses };
};

beforeEach(() => {
  jest.useFakeTimers({ now: Date.UTC(2026, 0, 1) });
});

afterEach(() => {
  jest.useRealTimers();
});

describe('ChatClient and the connections it abandoned', () => {
  it('does not connect with a token that arrives after close()', async () => {
    // Prepare: a token provider the test answers when it chooses
    let answer!: (token: string) => void;
    const { client, sockets, statuses } = setup(() => new Promise((resolve) => (answer = resolve)));
    client.connect();
    await flush();

    // Act
    client.close();
    answer('late-token');
    await jest.advanceTimersByTimeAsync(60_000);

    // Assess
    expect(sockets.all).toHaveLength(0);
    expect(statuses.map((status) => status.status)).toEqual(['connecting', 'closed']);
    expect(client.status).toMatchObject({ status: 'closed', reason: 'client-closed' });
  });

  it('ignores a frame and a close from the socket it replaced before the age limit', async () => {
    const { client, sockets, statuses } = setup(async () => 'token', { maxConnectionAgeMs: 60_000 });
    client.connect();
    await flush();
    const first = sockets.last();
    first.accept();
    const { onmessage, onclose } = first;

    await jest.advanceTimersByTimeAsync(60_000);
    await jest.advanceTimersByTimeAsync(1);
    const second = sockets.last();
    second.accept();
    onmessage?.({ data: JSON.stringify(pongFrame('old-connection')) });
    onclose?.({ code: 1006, reason: '' });
    await flush();

    expect(sockets.all).toHaveLength(2);
    expect(client.connectionId).toBeUndefined();
    expect(statuses.at(-1)?.status).toBe('open');
  });
});
