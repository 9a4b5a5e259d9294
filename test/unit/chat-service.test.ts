import { describe, expect, it } from '@jest/globals';
import { Delivery } from '../../src/delivery/delivery.ts';
import { handleChatMessage } from '../../src/domain/chat-service.ts';
import type { Responder } from '../../src/domain/responder.ts';
import { InMemoryConnectionStore } from '../support/in-memory-connection-store.ts';
import { InMemoryMessageStore } from '../support/in-memory-message-store.ts';
import { RecordingSender } from '../support/recording-sender.ts';

const clock = { nowMs: () => Date.now() };
const live = (connectionId: string) => ({ connectionId, userId: 'ann', connectedAt: 0, lastSeenAt: 0, expiresAt: 4e9 });

describe('handleChatMessage', () => {
  it('sends the reply to a device that connected while the responder was working', async () => {
    // Prepare: the responder takes its time; meanwhile the user's phone reconnects.
    const connections = new InMemoryConnectionStore();
    await connections.register(live('laptop'));
    const slowResponder: Responder = {
      streams: false,
      async *respond() {
        await connections.register(live('phone'));
        yield 'Thinking done';
      },
    };
    const sender = new RecordingSender();
    // Act
    await handleChatMessage(
      { connections, messages: new InMemoryMessageStore(), responder: slowResponder, clock },
      new Delivery(sender),
      { userId: 'ann', connectionId: 'laptop', sessionId: 's', message: 'hi' },
    );
    // Assess
    const roles = (id: string) => sender.posts.filter((post) => post.connectionId === id).map((post) => (post.frame as any).data.role);
    expect(roles('laptop')).toEqual(['user', 'assistant']);
    expect(roles('phone')).toEqual(['assistant']);
  });

  it('still sends a stored reply to the question\'s audience when reading the connections again fails', async () => {
    // Prepare: the second read of the user's connections (while the reply is stored) fails.
    const connections = new InMemoryConnectionStore();
    await connections.register(live('laptop'));
    await connections.register(live('tablet'));
    let reads = 0;
    const listLive = connections.listLive.bind(connections);
    connections.listLive = async (userId, nowMs) => {
      reads += 1;
      if (reads > 1) throw new Error('index unavailable');
      return listLive(userId, nowMs);
    };
    const messages = new InMemoryMessageStore();
    const sender = new RecordingSender();
    // Act
    const outcome = await handleChatMessage(
      { connections, messages, responder: { streams: false, async *respond() { yield 'ok'; } }, clock },
      new Delivery(sender),
      { userId: 'ann', connectionId: 'laptop', sessionId: 's', message: 'hi' },
    );
    // Assess
    const roles = (id: string) => sender.posts.filter((post) => post.connectionId === id).map((post) => (post.frame as any).data.role);
    expect(reads).toBe(2);
    expect(outcome.reply?.message).toBe('ok');
    expect(roles('laptop')).toEqual(['user', 'assistant']);
    expect(roles('tablet')).toEqual(['user', 'assistant']);
  });

  it('batches streamed pieces into chunk frames with seq and offset, all before the complete reply', async () => {
    // Prepare: pieces that come 30 ms apart on a clock the test moves; batching at most every 50 ms
    const connections = new InMemoryConnectionStore();
    await connections.register(live('laptop'));
    let now = 0;
    const timers: Array<{ at: number; run: () => void }> = [];
    const streaming: Responder = {
      streams: true,
      async *respond() {
        for (const piece of ['Hel', 'lo ', 'wor', 'ld']) {
          yield piece;
          now += 30;
          for (const timer of timers.filter((t) => t.at <= now)) {
            timers.splice(timers.indexOf(timer), 1);
            timer.run();
          }
          await new Promise((resolve) => setImmediate(resolve));
        }
      },
    };
    const sender = new RecordingSender();
    // Act
    await handleChatMessage(
      {
        connections,
        messages: new InMemoryMessageStore(),
        responder: streaming,
        clock: { nowMs: () => now },
        chunkBatching: { intervalMs: 50, maxChars: 1000 },
        scheduler: (run, ms) => {
          const timer = { at: now + ms, run };
          timers.push(timer);
          return () => timers.splice(timers.indexOf(timer), 1);
        },
      },
      new Delivery(sender),
      { userId: 'ann', connectionId: 'laptop', sessionId: 's', message: 'hi' },
    );
    // Assess
    const frames = sender.posts.map((post) => post.frame as any);
    expect(frames.map((frame) => frame.type)).toEqual(['chat_message', 'chat_message_chunk', 'chat_message_chunk', 'chat_message_chunk', 'chat_message']);
    const messageId = frames[4].data.messageId;
    expect(frames[1].data).toEqual({ messageId, sessionId: 's', seq: 0, offset: 0, delta: 'Hel' });
    // 'lo ' at 30 ms waits for the slot at 80 ms, which takes 'wor' (60 ms) too; 'ld' goes out before the reply.
    expect(frames[2].data).toEqual({ messageId, sessionId: 's', seq: 1, offset: 3, delta: 'lo wor' });
    expect(frames[3].data).toEqual({ messageId, sessionId: 's', seq: 2, offset: 9, delta: 'ld' });
    expect(frames[4].data).toMatchObject({ role: 'assistant', message: 'Hello world' });
  });

  it('posts no chunk after a streaming responder fails', async () => {
    const connections = new InMemoryConnectionStore();
    await connections.register(live('laptop'));
    const failing: Responder = {
      streams: true,
      async *respond() {
        yield 'partial';
        throw new Error('model stream broke');
      },
    };
    const sender = new RecordingSender();
    const scheduled: Array<{ cancelled: boolean }> = [];
    const scheduler = () => {
      const timer = { cancelled: false };
      scheduled.push(timer);
      return () => {
        timer.cancelled = true;
      };
    };

    await expect(
      handleChatMessage({ connections, messages: new InMemoryMessageStore(), responder: failing, clock, scheduler }, new Delivery(sender), {
        userId: 'ann',
        connectionId: 'laptop',
        sessionId: 's',
        message: 'hi',
      }),
    ).rejects.toThrow('model stream broke');

    expect(scheduled.length).toBeGreaterThan(0);
    expect(scheduled.every((timer) => timer.cancelled)).toBe(true);
    expect(sender.posts.map((post) => post.frame.type)).toEqual(['chat_message']);
  });
});
