import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { type ConversationTurn, shapeConversation } from '../../src/domain/conversation.ts';

const user = (text: string): ConversationTurn => ({ role: 'user', text });
const assistant = (text: string): ConversationTurn => ({ role: 'assistant', text });
const roomy = { maxMessages: 100, maxChars: 100_000 };

describe('shapeConversation', () => {
  it('sends the question alone when there is no history', () => {
    expect(shapeConversation([], 'hello?', roomy)).toEqual([user('hello?')]);
  });

  it('keeps answered exchanges oldest first, then the question', () => {
    const history = [user('q1'), assistant('a1'), user('q2'), assistant('a2')];
    expect(shapeConversation(history, 'q3', roomy)).toEqual([...history, user('q3')]);
  });

  it('drops a question whose reply failed (blank) or never came, so roles still alternate', () => {
    const history = [user('q1'), assistant('a1'), user('q2 failed'), assistant('  '), user('q3 lost'), user('q4'), assistant('a4')];
    expect(shapeConversation(history, 'q5', roomy)).toEqual([user('q1'), assistant('a1'), user('q4'), assistant('a4'), user('q5')]);
  });

  it('drops a trailing unanswered question (the one being asked, if the store already holds it)', () => {
    const history = [user('q1'), assistant('a1'), user('q2')];
    expect(shapeConversation(history, 'q2', roomy)).toEqual([user('q1'), assistant('a1'), user('q2')]);
  });

  it('starts with a user turn when the oldest stored turn is a reply (its question fell outside the page)', () => {
    const history = [assistant('orphan'), user('q1'), assistant('a1')];
    expect(shapeConversation(history, 'q2', roomy)).toEqual([user('q1'), assistant('a1'), user('q2')]);
  });

  it('joins two replies in a row to one question', () => {
    const history = [user('q1'), assistant('part one'), assistant('part two')];
    expect(shapeConversation(history, 'q2', roomy)).toEqual([user('q1'), assistant('part one\n\npart two'), user('q2')]);
  });

  it('keeps the newest exchanges that fit the message budget, whole exchanges only', () => {
    const history = [user('q1'), assistant('a1'), user('q2'), assistant('a2'), user('q3'), assistant('a3')];
    expect(shapeConversation(history, 'q4', { maxMessages: 4, maxChars: 1000 })).toEqual([user('q3'), assistant('a3'), user('q4')]);
    expect(shapeConversation(history, 'q4', { maxMessages: 5, maxChars: 1000 })).toEqual([user('q2'), assistant('a2'), user('q3'), assistant('a3'), user('q4')]);
    expect(shapeConversation(history, 'q4', { maxMessages: 1, maxChars: 1000 })).toEqual([user('q4')]);
  });

  it('counts the question against the character budget and stops at the first exchange that does not fit', () => {
    const history = [user('old'), assistant('short'), user('a long question'), assistant('x'.repeat(50)), user('q'), assistant('a')];
    // 'now?' (4) + 'q'+'a' (2) fit in 10; the 65-character exchange does not, and nothing older is taken past it.
    expect(shapeConversation(history, 'now?', { maxMessages: 100, maxChars: 10 })).toEqual([user('q'), assistant('a'), user('now?')]);
  });

  it('sends a question longer than the character budget on its own', () => {
    expect(shapeConversation([user('q1'), assistant('a1')], 'a very long question', { maxMessages: 10, maxChars: 5 })).toEqual([user('a very long question')]);
  });

  it('refuses a budget that is not whole numbers of at least 1, and a blank question', () => {
    expect(() => shapeConversation([], 'q', { maxMessages: 0, maxChars: 10 })).toThrow('maxMessages must be a whole number of at least 1, got 0');
    expect(() => shapeConversation([], 'q', { maxMessages: 3, maxChars: 2.5 })).toThrow('maxChars must be a whole number of at least 1, got 2.5');
    expect(() => shapeConversation([], '   ', roomy)).toThrow('blank');
  });

  it('does not change the history it was given', () => {
    const history = [user('q1'), assistant('a1'), assistant('a1b')];
    const copy = structuredClone(history);
    shapeConversation(history, 'q2', roomy);
    expect(history).toEqual(copy);
  });

  it('always starts with the user, alternates, ends with the question and stays within budget', () => {
    const turn = fc.record({
      role: fc.constantFrom<'user' | 'assistant'>('user', 'assistant'),
      text: fc.oneof(fc.constant(''), fc.constant(' '), fc.string({ minLength: 1, maxLength: 30 })),
    });
    const budget = fc.record({ maxMessages: fc.integer({ min: 1, max: 12 }), maxChars: fc.integer({ min: 1, max: 200 }) });
    fc.assert(
      fc.property(
        fc.array(turn, { maxLength: 30 }),
        fc.string({ minLength: 1, maxLength: 40 }).filter((text) => text.trim() !== ''),
        budget,
        (history, question, limits) => {
          const shaped = shapeConversation(history, question, limits);
          expect(shaped[0]?.role).toBe('user');
          expect(shaped.at(-1)).toEqual(user(question));
          shaped.forEach((message, index) => {
            expect(message.role).toBe(index % 2 === 0 ? 'user' : 'assistant');
            expect(message.text.trim()).not.toBe('');
          });
          expect(shaped.length).toBeLessThanOrEqual(limits.maxMessages);
          if (shaped.length > 1) expect(shaped.reduce((sum, message) => sum + message.text.length, 0)).toBeLessThanOrEqual(limits.maxChars);
        },
      ),
    );
  });
});
