import { describe, expect, it } from '@jest/globals';
import { Outbox, OutboxFullError, type OutgoingMessage } from '../../src/client/outbox.ts';

const entry = (clientMessageId: string): OutgoingMessage => ({
  clientMessageId,
  sessionId: 's1',
  message: `text ${clientMessageId}`,
  inFlight: false,
  failures: 0,
  resolve: () => undefined,
  reject: () => undefined,
});

describe('Outbox', () => {
  it('holds at most its capacity and refuses the next message with OutboxFullError', () => {
    const outbox = new Outbox(3);
    for (const id of ['a', 'b', 'c']) outbox.add(entry(id));

    const refused = (() => {
      try {
        outbox.add(entry('d'));
        return undefined;
      } catch (error) {
        return error;
      }
    })();

    expect(refused).toBeInstanceOf(OutboxFullError);
    expect(refused).toMatchObject({ name: 'OutboxFullError', capacity: 3 });
    expect(outbox.list().map((queued) => queued.clientMessageId)).toEqual(['a', 'b', 'c']);
  });

  it('frees a place when a message is acknowledged, wherever it is, and keeps the order of the rest', () => {
    const outbox = new Outbox(2);
    outbox.add(entry('a'));
    outbox.add(entry('b'));

    expect(outbox.acknowledge('b')?.clientMessageId).toBe('b');
    outbox.add(entry('c'));

    expect(outbox.head()?.clientMessageId).toBe('a');
    expect(outbox.list().map((queued) => queued.clientMessageId)).toEqual(['a', 'c']);
    expect(outbox.acknowledge('unknown')).toBeUndefined();
  });

  it('marks nothing in flight on a new connection', () => {
    const outbox = new Outbox(2);
    outbox.add({ ...entry('a'), inFlight: true });

    outbox.resetInFlight();

    expect(outbox.head()?.inFlight).toBe(false);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new Outbox(0)).toThrow(RangeError);
    expect(() => new Outbox(1.5)).toThrow(RangeError);
  });
});
