import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Connection } from '../../src/client/connection.ts';
import { FakeSocket } from './support/fake-websocket.ts';

const KEEP_ALIVE_TIMEOUT_MS = 5000;

const setup = () => {
  const told: string[] = [];
  const connection = new Connection(KEEP_ALIVE_TIMEOUT_MS, {
    open: () => told.push('open'),
    close: () => told.push('close'),
    keepAliveTimeout: () => told.push('keep-alive timeout'),
  });
  const handled: string[] = [];
  const socket = new FakeSocket('ws://gateway.test/dev?token=t');
  connection.attach(socket);
  socket.accept();
  connection.adopt({ frame: (data) => handled.push(`frame ${String(data)}`), dispose: () => handled.push('disposed') });
  return { connection, socket, told, handled };
};

beforeEach(() => {
  jest.useFakeTimers({ now: Date.UTC(2026, 0, 1) });
});

afterEach(() => {
  jest.useRealTimers();
});

describe('Connection', () => {
  it('once disposed, passes nothing on: no timer fires, no late socket event arrives, an awaited token is dropped', async () => {
    // Prepare: timers of every kind running, and the socket's listeners as an event already queued would call them
    const { connection, socket, told, handled } = setup();
    const fired: string[] = [];
    connection.after(1000, () => fired.push('after'));
    connection.every(500, () => fired.push('every'));
    connection.ping();
    const { onmessage, onclose, onopen } = socket;
    let tokenSettled = false;
    void connection.guard(new Promise((resolve) => setTimeout(() => resolve('token'), 100))).finally(() => {
      tokenSettled = true;
    });

    // Act
    connection.dispose({ code: 1000, reason: 'Client closed' });
    onmessage?.({ data: '{"type":"pong","data":{}}' });
    onclose?.({ code: 1006, reason: '' });
    onopen?.({});
    const lateTimer = connection.after(0, () => fired.push('late'));
    await jest.advanceTimersByTimeAsync(60_000);

    // Assess
    expect(told).toEqual(['open']);
    expect(handled).toEqual(['disposed']);
    expect(fired).toEqual([]);
    expect(lateTimer).toBeUndefined();
    expect(tokenSettled).toBe(false);
    expect(socket.closedWith).toEqual({ code: 1000, reason: 'Client closed' });
    expect(connection.opened).toBe(false);
    expect(connection.writable).toBe(false);
  });

  it('times the keep-alive from the first unanswered ping; any frame ends the wait', async () => {
    const { connection, socket, told, handled } = setup();

    connection.ping();
    await jest.advanceTimersByTimeAsync(KEEP_ALIVE_TIMEOUT_MS - 1000);
    connection.ping();
    socket.receive({ type: 'chat_message_chunk', data: {} });
    await jest.advanceTimersByTimeAsync(KEEP_ALIVE_TIMEOUT_MS);
    const afterAnswer = [...told];
    connection.ping();
    await jest.advanceTimersByTimeAsync(KEEP_ALIVE_TIMEOUT_MS - 1000);
    connection.ping();
    await jest.advanceTimersByTimeAsync(1000);

    expect(afterAnswer).toEqual(['open']);
    expect(told).toEqual(['open', 'keep-alive timeout']);
    expect(socket.framesOf('ping')).toHaveLength(4);
    expect(handled).toEqual(['frame {"type":"chat_message_chunk","data":{}}']);
  });
});
