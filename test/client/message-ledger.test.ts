import { describe, expect, it } from '@jest/globals';
import { MessageLedger } from '../../src/client/message-ledger.ts';
import { chat, idAt } from './support/frames.ts';

const ids = (messages: Array<{ messageId: string }>) => messages.map((message) => message.messageId);

describe('MessageLedger', () => {
  it('delivers each messageId once and remembers the newest per session', () => {
    const ledger = new MessageLedger();
    const first = chat({ messageId: idAt(1000) });
    const second = chat({ messageId: idAt(2000), role: 'assistant' });

    const delivered = [...ledger.live(first), ...ledger.live(second), ...ledger.live(first), ...ledger.live({ ...second })];

    expect(ids(delivered)).toEqual([first.messageId, second.messageId]);
    expect(ledger.lastSeen('s1')).toBe(second.messageId);
    expect(ledger.lastSeen('other')).toBeUndefined();
  });

  it('keeps sessions apart', () => {
    const ledger = new MessageLedger();
    const id = idAt(1000);

    expect(ledger.live(chat({ messageId: id, sessionId: 'a' }))).toHaveLength(1);
    expect(ledger.live(chat({ messageId: id, sessionId: 'b' }))).toHaveLength(1);
  });

  it('holds live messages back while a session resumes and merges them with history in messageId order', () => {
    const ledger = new MessageLedger();
    const seen = chat({ messageId: idAt(1000) });
    ledger.live(seen);
    const missedQuestion = chat({ messageId: idAt(2000) });
    const missedReply = chat({ messageId: idAt(2001), role: 'assistant' });
    const liveDuringResume = chat({ messageId: idAt(3000) });

    ledger.beginResume('s1');
    const heldBack = ledger.live(liveDuringResume);
    const merged = ledger.endResume('s1', [seen, missedQuestion, missedReply, liveDuringResume]);

    expect(heldBack).toEqual([]);
    expect(ids(merged)).toEqual([missedQuestion.messageId, missedReply.messageId, liveDuringResume.messageId]);
    expect(ledger.isResuming('s1')).toBe(false);
    expect(ledger.live(liveDuringResume)).toEqual([]);
  });

  it('keeps what it held when a resume is started again after being cut short', () => {
    const ledger = new MessageLedger();
    const held = chat({ messageId: idAt(5000) });
    ledger.beginResume('s1');
    ledger.live(held);

    ledger.beginResume('s1');
    const merged = ledger.endResume('s1', []);

    expect(ids(merged)).toEqual([held.messageId]);
  });

  it('holds live messages while a question is unacknowledged and releases them, with the acknowledgement, only when no resume holds them too', () => {
    const ledger = new MessageLedger();
    const question = chat({ messageId: idAt(1000) });
    const reply = chat({ messageId: idAt(1001), role: 'assistant' });
    ledger.awaitAcknowledgement('s1');
    ledger.beginResume('s1');
    const heldBack = ledger.live(reply);

    const afterResume = ledger.endResume('s1', []);
    const afterAcknowledgement = ledger.acknowledged('s1', question);

    expect(heldBack).toEqual([]);
    expect(afterResume).toEqual([]);
    expect(ids(afterAcknowledgement)).toEqual([question.messageId, reply.messageId]);
    expect(ledger.repliedAfter('s1', question.messageId)).toBe(true);
    expect(ledger.repliedAfter('s1', reply.messageId)).toBe(false);
    expect(ledger.awaitsReply('s1')).toBe(false);
  });

  it('bounds the ids it remembers per session', () => {
    const ledger = new MessageLedger(2);
    const [a, b, c] = [idAt(1), idAt(2), idAt(3)].map((messageId) => chat({ messageId })) as [ReturnType<typeof chat>, ReturnType<typeof chat>, ReturnType<typeof chat>];
    for (const message of [a, b, c]) ledger.live(message);

    expect(ledger.live(c)).toEqual([]);
    expect(ledger.live(a)).toHaveLength(1);
  });
});
