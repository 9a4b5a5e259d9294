/**
 * `cancel`, ANSWER_IN_PROGRESS and API Gateway's integration timeout frame, as the client handles
 * them (fake sockets, the test plays the server).
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { ClientValidationError, ConnectionClosedError, SendRefusedError } from '../../src/client/index.ts';
import { advance, chunkFrame, fakeClient, flush } from './support/fake-client.ts';
import { chat, chatFrame, errorFrame, historyFrame, idAt } from './support/frames.ts';

const START = Date.UTC(2026, 0, 1, 12, 0, 0);

const cancelResult = (messageId: string, outcome: string, status?: string) => ({
  type: 'cancel_result',
  data: { sessionId: 's1', messageId, outcome, ...(status ? { status } : {}) },
});

const settle = <T>(promise: Promise<T>): Promise<T | Error> => promise.catch((error: Error) => error);

beforeEach(() => {
  jest.useFakeTimers({ now: START });
});

afterEach(() => {
  jest.useRealTimers();
});

describe('ChatClient cancel', () => {
  it('sends a cancel frame per reply and resolves each with its cancel_result: cancelling, finished or unknown', async () => {
    const { client, connected } = fakeClient();
    const socket = await connected();
    const [streaming, finished, unknown] = [idAt(START + 1), idAt(START + 2), idAt(START + 3)];

    const answers = [client.cancel('s1', streaming), client.cancel('s1', finished), client.cancel('s1', unknown)];
    await flush();
    socket.receive(cancelResult(unknown, 'unknown'));
    socket.receive(cancelResult(streaming, 'cancelling'));
    socket.receive(cancelResult(finished, 'finished', 'complete'));

    expect(socket.frames.filter((frame) => frame.action === 'cancel')).toEqual([
      { action: 'cancel', data: { sessionId: 's1', messageId: streaming } },
      { action: 'cancel', data: { sessionId: 's1', messageId: finished } },
      { action: 'cancel', data: { sessionId: 's1', messageId: unknown } },
    ]);
    await expect(Promise.all(answers)).resolves.toEqual([
      { sessionId: 's1', messageId: streaming, outcome: 'cancelling' },
      { sessionId: 's1', messageId: finished, outcome: 'finished', status: 'complete' },
      { sessionId: 's1', messageId: unknown, outcome: 'unknown' },
    ]);
  });

  it('rejects with ConnectionClosedError when the connection closes before the answer, and at once when not connected', async () => {
    const { client, sockets, connected } = fakeClient();
    const offline = settle(client.cancel('s1', idAt(START)));
    const socket = await connected();
    const cutOff = settle(client.cancel('s1', idAt(START + 1)));
    await flush();

    socket.drop();
    await advance(10_000);
    // The cancel is not sent again on the next connection: the application decides.
    const resent = sockets.last().framesOf('cancel');

    expect(await offline).toBeInstanceOf(ConnectionClosedError);
    expect(await cutOff).toBeInstanceOf(ConnectionClosedError);
    expect(socket.framesOf('cancel')).toHaveLength(1);
    expect(sockets.all).toHaveLength(2);
    expect(resent).toEqual([]);
  });

  it('sends an unanswered cancel again after RATE_LIMITED, and refuses an invalid messageId without sending anything', async () => {
    const { client, connected } = fakeClient();
    const socket = await connected();
    const replyId = idAt(START);
    const answer = client.cancel('s1', replyId);
    await flush();

    socket.receive(errorFrame('RATE_LIMITED', { retryAfterMs: 1000 }));
    await advance(1000);
    socket.receive(cancelResult(replyId, 'cancelling'));

    await expect(answer).resolves.toMatchObject({ outcome: 'cancelling' });
    expect(socket.framesOf('cancel')).toHaveLength(2);
    expect(() => client.cancel('s1', 'not-a-message-id')).toThrow(ClientValidationError);
    expect(() => client.cancel('bad session', replyId)).toThrow(ClientValidationError);
  });
});

describe('ChatClient refusals and harmless frames', () => {
  it('gives up a message refused with ANSWER_IN_PROGRESS: no resend, sendFailed with the refusal, and the next message goes', async () => {
    const { client, failures, errors, connected } = fakeClient({ requestTimeoutMs: 1000 });
    const socket = await connected();
    const refused = client.send('s1', 'while the answer streams');
    const later = client.send('s1', 'later', { clientMessageId: 'later-1' });
    await flush();

    socket.receive(errorFrame('ANSWER_IN_PROGRESS'));
    await flush();
    socket.receive(chatFrame(chat({ messageId: idAt(START), message: 'later', clientMessageId: 'later-1' })));
    await advance(60_000);

    expect(errors.map((error) => error.code)).toEqual(['ANSWER_IN_PROGRESS']);
    expect(socket.framesOf('chat_message').map((frame) => frame.message)).toEqual(['while the answer streams', 'later']);
    const error = await settle(refused.acknowledged);
    expect(error).toBeInstanceOf(SendRefusedError);
    expect(error).toMatchObject({ code: 'ANSWER_IN_PROGRESS' });
    expect(failures.map((failure) => failure.message)).toEqual(['while the answer streams']);
    await expect(later.acknowledged).resolves.toMatchObject({ clientMessageId: 'later-1' });
  });

  it("ignores API Gateway's integration timeout frame: no error, no resend, one debug event, and the reply still comes", async () => {
    const { client, messages, errors, debug, connected } = fakeClient();
    const socket = await connected();
    const opened = client.openSession('s1');
    socket.receive(historyFrame('s1', []));
    await opened;
    const { acknowledged } = client.send('s1', 'a long question');
    await flush();
    const data = socket.framesOf('chat_message')[0] as Record<string, string>;
    const question = chat({ messageId: idAt(START), message: 'a long question', clientMessageId: data.clientMessageId });
    socket.receive(chatFrame(question));
    await acknowledged;

    socket.receive({ message: 'Endpoint request timed out', connectionId: 'conn-1', requestId: 'req-29s' });
    socket.receive(chunkFrame(idAt(START + 1), 0, 0, 'You said'));
    await advance(20_000);
    const reply = chat({ messageId: idAt(START + 2), role: 'assistant', message: 'You said: a long question', status: 'complete' });
    socket.receive(chatFrame(reply));

    expect(errors).toEqual([]);
    expect(debug).toEqual([{ kind: 'integration-timeout', message: 'Endpoint request timed out', connectionId: 'conn-1', requestId: 'req-29s' }]);
    expect(socket.framesOf('chat_message')).toHaveLength(1);
    expect(client.status.status).toBe('open');
    expect(messages.map((message) => message.message)).toEqual(['a long question', 'You said: a long question']);
  });
});
