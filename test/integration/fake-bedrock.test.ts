import {
  AccessDeniedException,
  ConverseStreamCommand,
  type ConverseStreamOutput,
  InternalServerException,
  ModelStreamErrorException,
  ResourceNotFoundException,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventStreamCodec, type Message } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { clientFor } from '#testkit/fake-bedrock-client.ts';
import { type FakeBedrock, startFakeBedrock } from '../../src/local/fake-bedrock/fake-bedrock.ts';

const converse = (question: string) =>
  new ConverseStreamCommand({ modelId: 'fake.model-v1:0', messages: [{ role: 'user', content: [{ text: question }] }], inferenceConfig: { maxTokens: 200 } });

/** Every event the SDK hands over, or the error it throws (at send or mid-stream) with the events before it. */
const run = async (fake: FakeBedrock, question: string) => {
  const events: ConverseStreamOutput[] = [];
  try {
    const response = await clientFor(fake).send(converse(question));
    for await (const event of response.stream ?? []) events.push(event);
    return { events, error: undefined };
  } catch (error) {
    return { events, error };
  }
};

/** Splits a response body into event-stream messages: each starts with its total length (4 bytes, big-endian). */
const decodeAll = (bytes: Uint8Array): Message[] => {
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  const messages: Message[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    const length = new DataView(bytes.buffer, bytes.byteOffset + offset, 4).getUint32(0);
    messages.push(codec.decode(bytes.subarray(offset, offset + length)));
    offset += length;
  }
  return messages;
};

let fake: FakeBedrock;
beforeAll(async () => {
  fake = await startFakeBedrock({ tokensPerSecond: 0 });
});
afterAll(() => fake.stop());

describe('fake Bedrock on the wire', () => {
  it('sends application/vnd.amazon.eventstream messages with the event, content and message type headers', async () => {
    const response = await fetch(`${fake.endpoint}/model/fake.model-v1%3A0/converse-stream`, {
      method: 'POST',
      body: JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'hello there' }] }] }),
    });
    expect(response.headers.get('content-type')).toBe('application/vnd.amazon.eventstream');
    const messages = decodeAll(new Uint8Array(await response.arrayBuffer()));
    const types = messages.map((message) => message.headers[':event-type']?.value);
    expect(types[0]).toBe('messageStart');
    expect(types.slice(-3)).toEqual(['contentBlockStop', 'messageStop', 'metadata']);
    expect(new Set(types.slice(1, -3))).toEqual(new Set(['contentBlockDelta']));
    for (const message of messages) {
      expect(message.headers[':message-type']?.value).toBe('event');
      expect(message.headers[':content-type']?.value).toBe('application/json');
    }
    expect(fake.requests.at(-1)?.modelId).toBe('fake.model-v1:0');
  });

  it('sends an exception mid-stream as :message-type exception with its :exception-type', async () => {
    const response = await fetch(`${fake.endpoint}/model/m/converse-stream`, {
      method: 'POST',
      body: JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'x [fault:exception-at:2:internalServerException]' }] }] }),
    });
    const messages = decodeAll(new Uint8Array(await response.arrayBuffer()));
    expect(messages).toHaveLength(3);
    const last = messages[2];
    expect(last?.headers[':message-type']?.value).toBe('exception');
    expect(last?.headers[':exception-type']?.value).toBe('internalServerException');
    expect(JSON.parse(toUtf8(last?.body ?? new Uint8Array()))).toEqual({ message: expect.stringContaining('internalServerException') });
  });
});

describe('the real SDK reads every fake Bedrock case', () => {
  it('streams a whole answer: messageStart, text deltas, contentBlockStop, messageStop, metadata with usage', async () => {
    const { events, error } = await run(fake, 'what is the weather?');
    expect(error).toBeUndefined();
    expect(events[0]).toEqual({ messageStart: { role: 'assistant' } });
    const text = events.map((event) => event.contentBlockDelta?.delta?.text ?? '').join('');
    expect(text).toBe('Turn 1 of this conversation (1 messages, no system prompt). You asked: "what is the weather?"');
    expect(events.at(-2)).toEqual({ messageStop: { stopReason: 'end_turn' } });
    expect(events.at(-1)?.metadata?.usage).toEqual({ inputTokens: 4, outputTokens: 16, totalTokens: 20 });
    expect(events.at(-1)?.metadata?.metrics?.latencyMs).toEqual(expect.any(Number));
  });

  it.each([
    ['[fault:throttle]', ThrottlingException, 429],
    ['[fault:access-denied]', AccessDeniedException, 403],
    ['[fault:unknown-model]', ResourceNotFoundException, 404],
    ['[fault:validation]', ValidationException, 400],
    ['[fault:unavailable]', ServiceUnavailableException, 503],
  ])('refuses %s before the stream as the SDK class with its HTTP status', async (marker, ErrorClass, status) => {
    const { events, error } = await run(fake, `hello ${marker}`);
    expect(events).toEqual([]);
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toMatchObject({ $metadata: { httpStatusCode: status } });
  });

  it.each([
    ['[fault:exception-at:3]', ModelStreamErrorException, 3],
    ['[fault:exception-at:4:internalServerException]', InternalServerException, 4],
    ['[fault:exception-at:2:throttlingException]', ThrottlingException, 2],
    ['[fault:exception-at:0]', ModelStreamErrorException, 0],
  ])('ends the stream with %s as the SDK class, after the events before it', async (marker, ErrorClass, before) => {
    const { events, error } = await run(fake, `hello ${marker}`);
    expect(error).toBeInstanceOf(ErrorClass);
    expect(events).toHaveLength(before);
  });

  it('refuses a conversation that does not alternate with a ValidationException, as Bedrock does', async () => {
    const command = new ConverseStreamCommand({
      modelId: 'm',
      messages: [
        { role: 'user', content: [{ text: 'one' }] },
        { role: 'user', content: [{ text: 'two' }] },
      ],
    });
    await expect(clientFor(fake).send(command)).rejects.toThrow(expect.objectContaining({ name: 'ValidationException', message: expect.stringContaining('alternate') }));
  });

  it('applies a fault given by option to every request without a marker of its own', async () => {
    const denying = await startFakeBedrock({ tokensPerSecond: 0, fault: { kind: 'http-error', error: 'AccessDeniedException' } });
    try {
      expect((await run(denying, 'hello')).error).toBeInstanceOf(AccessDeniedException);
      expect((await run(denying, 'hello [fault:exception-at:1]')).error).toBeInstanceOf(ModelStreamErrorException);
    } finally {
      await denying.stop();
    }
  });

  it('cuts the answer at maxTokens with stopReason max_tokens', async () => {
    const response = await clientFor(fake).send(
      new ConverseStreamCommand({ modelId: 'm', messages: [{ role: 'user', content: [{ text: 'hi' }] }], inferenceConfig: { maxTokens: 3 } }),
    );
    const events: ConverseStreamOutput[] = [];
    for await (const event of response.stream ?? []) events.push(event);
    expect(events.filter((event) => event.contentBlockDelta)).toHaveLength(3);
    expect(events.find((event) => event.messageStop)).toEqual({ messageStop: { stopReason: 'max_tokens' } });
  });
});
