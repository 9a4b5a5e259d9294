import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startRouteHarness } from '#testkit/route-harness.ts';

let harness: Awaited<ReturnType<typeof startRouteHarness>>;

beforeAll(async () => {
  harness = await startRouteHarness('stream', { RESPONDER: 'echo-stream', MAX_CONNECTIONS_PER_USER: '5' });
});
afterAll(() => harness.stop());

const codePoints = (text: string) => [...text].length;

describe('chat_message with a streaming responder (RESPONDER=echo-stream)', () => {
  it('batches a 4,000-character reply of 1,300 pieces into a few chunk posts per connection, rebuilt exactly by offset', async () => {
    // Prepare: five connections of one user; a message of 1,334 words
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push((await harness.connect('uma')).connectionId);
    const message = `${'ab '.repeat(1333)}x`;
    const reply = `You said: ${message}`;
    const pieces = reply.match(/\S+\s*/g)?.length ?? 0;
    // Act
    await harness.send(ids[0] as string, 'uma', { action: 'chat_message', data: { message, sessionId: 'long-answer' } });
    // Assess: per connection, a bounded number of chunk frames (one per 1,000 characters, plus the rest)
    for (const connectionId of ids) {
      const frames = harness.management.framesTo(connectionId);
      const chunks = frames.filter((frame) => frame.type === 'chat_message_chunk').map((frame) => frame.data);
      const final = frames.at(-1);
      expect(final).toMatchObject({ type: 'chat_message', data: { role: 'assistant', message: reply } });
      expect(chunks.length).toBeGreaterThan(0);
      expect(chunks.length).toBeLessThanOrEqual(Math.ceil(codePoints(reply) / 1000) + 2);
      expect(chunks.map((chunk) => chunk.seq)).toEqual(chunks.map((_, index) => index));
      let offset = 0;
      for (const chunk of chunks) {
        expect(chunk).toMatchObject({ messageId: final?.data.messageId, sessionId: 'long-answer', offset });
        offset += codePoints(chunk.delta);
      }
      expect(chunks.map((chunk) => chunk.delta).join('')).toBe(reply);
    }
    expect(pieces).toBeGreaterThan(1300);
  });
});
