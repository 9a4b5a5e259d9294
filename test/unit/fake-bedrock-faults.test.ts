import { describe, expect, it } from '@jest/globals';
import { answerFor, ConverseRequestError, readConverseRequest } from '../../src/local/fake-bedrock/converse-request.ts';
import { parseFaultMarker } from '../../src/local/fake-bedrock/faults.ts';

const body = (messages: Array<{ role: string; text: string }>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ messages: messages.map(({ role, text }) => ({ role, content: [{ text }] })), ...extra });

describe('fake Bedrock fault markers', () => {
  it('reads each documented marker', () => {
    expect(parseFaultMarker('no marker here')).toBeUndefined();
    expect(parseFaultMarker('hi [fault:throttle]')).toEqual({ kind: 'http-error', error: 'ThrottlingException' });
    expect(parseFaultMarker('[fault:throttle:2] hi')).toEqual({ kind: 'http-error', error: 'ThrottlingException', times: 2 });
    expect(parseFaultMarker('[fault:access-denied]')).toEqual({ kind: 'http-error', error: 'AccessDeniedException' });
    expect(parseFaultMarker('[fault:unknown-model]')).toEqual({ kind: 'http-error', error: 'ResourceNotFoundException' });
    expect(parseFaultMarker('[fault:validation]')).toEqual({ kind: 'http-error', error: 'ValidationException' });
    expect(parseFaultMarker('[fault:unavailable]')).toEqual({ kind: 'http-error', error: 'ServiceUnavailableException' });
    expect(parseFaultMarker('[fault:exception-at:3]')).toEqual({ kind: 'exception', afterEvents: 3, exceptionType: 'modelStreamErrorException' });
    expect(parseFaultMarker('[fault:exception-at:0:throttlingException]')).toEqual({ kind: 'exception', afterEvents: 0, exceptionType: 'throttlingException' });
    expect(parseFaultMarker('[fault:stall]')).toEqual({ kind: 'stall', afterEvents: 2 });
    expect(parseFaultMarker('[fault:stall:0]')).toEqual({ kind: 'stall', afterEvents: 0 });
  });

  it('refuses an unknown marker or a missing count loudly, so a typo cannot pass as a healthy answer', () => {
    expect(() => parseFaultMarker('[fault:trottle]')).toThrow('Unknown fake Bedrock fault marker [fault:trottle]');
    expect(() => parseFaultMarker('[fault:exception-at]')).toThrow('needs a number of events');
    expect(() => parseFaultMarker('[fault:exception-at:2:boomException]')).toThrow('must be one of');
  });
});

describe('fake Bedrock request checks and answer', () => {
  it('refuses conversations the real service refuses, with its wording', () => {
    expect(() => readConverseRequest('m', body([{ role: 'assistant', text: 'hi' }]))).toThrow('A conversation must start with a user message.');
    expect(() =>
      readConverseRequest(
        'm',
        body([
          { role: 'user', text: 'a' },
          { role: 'user', text: 'b' },
        ]),
      ),
    ).toThrow('must alternate between user and assistant roles');
    expect(() => readConverseRequest('m', body([{ role: 'user', text: '  ' }]))).toThrow('messages.0.content.0 is blank');
    expect(() => readConverseRequest('m', '{')).toThrow(ConverseRequestError);
    expect(() => readConverseRequest('m', body([]))).toThrow('messages must be a non-empty list');
  });

  it('answers from the conversation alone: turns, messages, system prompt, the question quoted', () => {
    const request = readConverseRequest(
      'm',
      body(
        [
          { role: 'user', text: 'q1' },
          { role: 'assistant', text: 'a1' },
          { role: 'user', text: 'and then?' },
        ],
        { system: [{ text: 'Be brief.' }], inferenceConfig: { maxTokens: 50, temperature: 0.2 } },
      ),
    );
    expect(request).toMatchObject({ modelId: 'm', system: ['Be brief.'], maxTokens: 50, temperature: 0.2 });
    expect(answerFor(request)).toBe('Turn 2 of this conversation (3 messages, with a system prompt). You asked: "and then?"');
  });
});
