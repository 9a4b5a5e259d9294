/**
 * The load's verdict counts what it claims: fed a run and a stored history with a message lost, one
 * stored twice, a reply missing, a delivery doubled and a client out of order, it names each one.
 */
import { describe, expect, it } from '@jest/globals';
import type { ClientRun, LoadRun } from '#testkit/load/load-run.ts';
import { clean, type HistoryReader, type StoredMessage, verifyLoad } from '#testkit/load/verify.ts';
import type { ChatMessage } from '../../src/client/index.ts';

const message = (messageId: string, role: 'user' | 'assistant', text: string, extra: Partial<StoredMessage> = {}): StoredMessage => ({
  messageId,
  role,
  message: text,
  ...extra,
});

const asDelivered = (stored: StoredMessage): ChatMessage =>
  ({ messageId: stored.messageId, sessionId: 'load', userId: 'u', role: stored.role, message: stored.message, createdAt: '' }) as ChatMessage;

/** Client `userId` sent "a" and "b"; storage has both with their replies. */
const conversation = (): StoredMessage[] => [
  message('01A', 'user', 'a', { clientMessageId: 'c-a' }),
  message('01B', 'assistant', 'You said: a', { replyTo: '01A' }),
  message('01C', 'user', 'b', { clientMessageId: 'c-b' }),
  message('01D', 'assistant', 'You said: b', { replyTo: '01C' }),
];

/** What the client sent ("a" and "b"), each acknowledged with its stored copy when there is one. */
const sentOf = (stored: StoredMessage[]) =>
  ['a', 'b'].map((text) => {
    const copy = stored.find((candidate) => candidate.clientMessageId === `c-${text}`);
    return { clientMessageId: `c-${text}`, message: text, ...(copy ? { acknowledged: asDelivered(copy) } : {}) };
  });

const clientRun = (userId: string, stored: StoredMessage[], delivered = stored.map(asDelivered)): ClientRun => ({
  userId,
  sessionId: 'load',
  sent: sentOf(stored),
  delivered,
  statuses: [],
  serverErrors: [],
  sendFailures: 0,
  reconnects: 0,
  finished: true,
});

const readerOf = (histories: Record<string, StoredMessage[]>): HistoryReader => ({
  read: async (userId) => histories[userId] ?? [],
  destroy: () => undefined,
});

const runOf = (clients: ClientRun[]): LoadRun => ({ clients, drops: { dropped: 0, alreadyGone: 0, failed: 0, failures: [] }, durationMs: 1000, completed: true });

describe('the load verdict', () => {
  it('is clean when every client delivered exactly its stored history', async () => {
    const stored = conversation();

    const verdict = await verifyLoad(runOf([clientRun('u1', stored)]), readerOf({ u1: stored }));

    expect(clean(verdict)).toBe(true);
    expect(verdict).toMatchObject({ sent: 2, acknowledged: 2, storedUser: 2, storedAssistant: 2, delivered: 4, problems: [] });
  });

  it('counts a message never stored, a reply missing and a stored message never delivered as lost', async () => {
    const full = conversation();
    const withoutB = full.slice(0, 2);
    const withoutReply = full.slice(0, 3);

    const verdict = await verifyLoad(
      runOf([
        clientRun('notStored', withoutB, withoutB.map(asDelivered)),
        clientRun('noReply', withoutReply, withoutReply.map(asDelivered)),
        clientRun('notDelivered', full, full.slice(0, 3).map(asDelivered)),
      ]),
      readerOf({ notStored: withoutB, noReply: withoutReply, notDelivered: full }),
    );

    expect(verdict.lost).toEqual({ notStored: 1, replyMissing: 1, notDelivered: 1, total: 3 });
    expect(clean(verdict)).toBe(false);
  });

  it('counts a message stored twice, a second reply, a doubled delivery and a stranger as doubled', async () => {
    const full = conversation();
    const storedTwice = [...full, message('01E', 'user', 'b', { clientMessageId: 'c-b' }), message('01F', 'assistant', 'You said: b', { replyTo: '01E' })];
    const twoReplies = [...full, message('01E', 'assistant', 'You said: b', { replyTo: '01C' })];
    const stranger = [...full, message('01E', 'user', 'not mine', { clientMessageId: 'c-x' }), message('01F', 'assistant', 'You said: not mine', { replyTo: '01E' })];

    const verdict = await verifyLoad(
      runOf([
        clientRun('storedTwice', storedTwice),
        clientRun('twoReplies', twoReplies),
        clientRun('deliveredTwice', full, [...full.map(asDelivered), asDelivered(full[3] as StoredMessage)]),
        clientRun('stranger', stranger),
      ]),
      readerOf({ storedTwice, twoReplies, deliveredTwice: full, stranger }),
    );

    expect(verdict.doubled).toEqual({ stored: 1, replies: 1, delivered: 1, unexpected: 1, total: 4 });
  });

  it('counts a client whose view is in another order than storage, and one that did not finish', async () => {
    const full = conversation();
    const swapped = [full[0], full[2], full[1], full[3]].map((stored) => asDelivered(stored as StoredMessage));
    const unfinished = { ...clientRun('unfinished', full), finished: false };

    const verdict = await verifyLoad(runOf([clientRun('swapped', full, swapped), unfinished]), readerOf({ swapped: full, unfinished: full }));

    expect(verdict.outOfOrderClients).toBe(1);
    expect(verdict.unfinishedClients).toBe(1);
    expect(verdict.lost.total + verdict.doubled.total).toBe(0);
    expect(verdict.problems).toHaveLength(2);
  });

  it('counts an acknowledgement that names another messageId than the stored one', async () => {
    const full = conversation();
    const run = clientRun('u1', full);
    run.sent[1] = { clientMessageId: 'c-b', message: 'b', acknowledged: { ...asDelivered(full[2] as StoredMessage), messageId: '01Z' } };

    const verdict = await verifyLoad(runOf([run]), readerOf({ u1: full }));

    expect(verdict.mismatched).toBe(1);
  });
});
