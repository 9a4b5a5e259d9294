import { describe, expect, it } from '@jest/globals';
import { inMemoryChat } from '#testkit/in-memory-chat.ts';
import { InMemoryConnectionStore } from '#testkit/in-memory-connection-store.ts';
import { InMemoryMessageStore } from '#testkit/in-memory-message-store.ts';
import { RecordingSender, roleOf } from '#testkit/recording-sender.ts';
import { handleChatMessage } from '../../src/domain/chat-service.ts';
import type { Scheduler } from '../../src/domain/chunk-batcher.ts';
import { connectionEndsAt, openRowExpiresAt } from '../../src/domain/connection-lifetime.ts';
import { Delivery } from '../../src/domain/delivery.ts';
import type { Responder } from '../../src/domain/responder.ts';

const clock = { nowMs: () => Date.now() };
const okResponder: Responder = {
  streams: false,
  async *respond() {
    yield 'ok';
  },
};

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
    const { deps } = inMemoryChat({ connections, responder: slowResponder, sender, clock });
    // Act
    await handleChatMessage(deps, new Delivery(sender), {
      userId: 'ann',
      connectionId: 'laptop',
      sessionId: 's',
      message: 'hi',
    });
    // Assess
    const roles = (id: string) => sender.posts.filter((post) => post.connectionId === id).map((post) => roleOf(post.frame));
    expect(roles('laptop')).toEqual(['user', 'assistant']);
    expect(roles('phone')).toEqual(['assistant']);
  });

  it("still sends a stored reply to the question's audience when reading the connections again fails", async () => {
    // Prepare: the second read of the user's connections (while the reply is stored) fails.
    const connections = new InMemoryConnectionStore();
    await connections.register(live('laptop'));
    await connections.register(live('tablet'));
    // The first read (the message function's) finds the audience; the later ones (the respond function's) fail.
    let reads = 0;
    const listAudience = connections.listAudience.bind(connections);
    connections.listAudience = async (userId, nowMs) => {
      reads += 1;
      if (reads > 1) throw new Error('index unavailable');
      return listAudience(userId, nowMs);
    };
    const messages = new InMemoryMessageStore();
    const sender = new RecordingSender();
    // Act
    const outcome = await handleChatMessage(inMemoryChat({ connections, messages, responder: okResponder, sender, clock }).deps, new Delivery(sender), {
      userId: 'ann',
      connectionId: 'laptop',
      sessionId: 's',
      message: 'hi',
    });
    // Assess
    const roles = (id: string) => sender.posts.filter((post) => post.connectionId === id).map((post) => roleOf(post.frame));
    expect(reads).toBeGreaterThan(1);
    // The hand-off returned the reply item as it started; the respond function ended it with the text.
    expect(outcome.reply).toMatchObject({ message: '', status: 'streaming' });
    expect(sender.posts.find((post) => roleOf(post.frame) === 'assistant')?.frame).toMatchObject({
      data: { messageId: outcome.reply?.messageId, message: 'ok', status: 'complete' },
    });
    expect(roles('laptop')).toEqual(['user', 'assistant']);
    expect(roles('tablet')).toEqual(['user', 'assistant']);
  });

  it('sends nothing to a connection whose token has expired, and closes it', async () => {
    // Prepare: the tablet's token expired 5 s ago; its row lingers, the gateway may still hold it open.
    const nowMs = Date.now();
    const connections = new InMemoryConnectionStore();
    await connections.register(live('laptop'));
    const expiredEnd = connectionEndsAt(nowMs - 60_000, Math.floor(nowMs / 1000) - 5);
    await connections.register({ ...live('tablet'), expiresAt: openRowExpiresAt(expiredEnd, 600) });
    const sender = new RecordingSender();
    // Act
    const outcome = await handleChatMessage(inMemoryChat({ connections, responder: okResponder, sender, clock }).deps, new Delivery(sender), {
      userId: 'ann',
      connectionId: 'laptop',
      sessionId: 's',
      message: 'hi',
    });
    // Assess
    expect(sender.posts.map((post) => post.connectionId)).toEqual(['laptop', 'laptop']);
    expect(sender.closes).toEqual(['tablet']);
    expect(outcome.endedClosed).toBe(1);
  });

  it('stores and delivers a message its sender sent just before closing, posting nothing back to the sender', async () => {
    // Prepare: $disconnect has marked the laptop closed; its frame reaches the function afterwards.
    const connections = new InMemoryConnectionStore();
    await connections.register(live('laptop'));
    await connections.register(live('tablet'));
    await connections.markDisconnected('laptop', Date.now());
    const messages = new InMemoryMessageStore();
    const sender = new RecordingSender();
    // Act
    const outcome = await handleChatMessage(inMemoryChat({ connections, messages, responder: okResponder, sender, clock }).deps, new Delivery(sender), {
      userId: 'ann',
      connectionId: 'laptop',
      sessionId: 's',
      message: 'hi',
    });
    // Assess
    expect(outcome.userMessage.message).toBe('hi');
    expect(sender.posts.map((post) => [post.connectionId, roleOf(post.frame)])).toEqual([
      ['tablet', 'user'],
      ['tablet', 'assistant'],
    ]);
    // The closed sender is not closed again: the fan-out closes only other ended connections.
    expect(sender.closes).toEqual([]);
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
    const scheduler: Scheduler = (run, ms) => {
      const timer = { at: now + ms, run };
      timers.push(timer);
      return () => timers.splice(timers.indexOf(timer), 1);
    };
    await handleChatMessage(
      inMemoryChat({ connections, responder: streaming, sender, clock: { nowMs: () => now }, chunkBatching: { intervalMs: 50, maxChars: 1000 }, scheduler }).deps,
      new Delivery(sender),
      { userId: 'ann', connectionId: 'laptop', sessionId: 's', message: 'hi' },
    );
    // Assess
    const frames = sender.posts.map((post) => post.frame);
    expect(frames.map((frame) => frame.type)).toEqual(['chat_message', 'chat_message_chunk', 'chat_message_chunk', 'chat_message_chunk', 'chat_message']);
    const dataOf = (index: number): unknown => {
      const frame = frames[index];
      return frame && 'data' in frame ? frame.data : undefined;
    };
    const reply = frames[4];
    const messageId = reply?.type === 'chat_message' ? reply.data.messageId : undefined;
    expect(dataOf(1)).toEqual({ messageId, sessionId: 's', seq: 0, offset: 0, delta: 'Hel' });
    // 'lo ' at 30 ms waits for the slot at 80 ms, which takes 'wor' (60 ms) too; 'ld' goes out before the reply.
    expect(dataOf(2)).toEqual({ messageId, sessionId: 's', seq: 1, offset: 3, delta: 'lo wor' });
    expect(dataOf(3)).toEqual({ messageId, sessionId: 's', seq: 2, offset: 9, delta: 'ld' });
    expect(dataOf(4)).toMatchObject({ role: 'assistant', message: 'Hello world' });
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
    const scheduler: Scheduler = () => {
      const timer = { cancelled: false };
      scheduled.push(timer);
      return () => {
        timer.cancelled = true;
      };
    };

    const { deps, invoker, replies } = inMemoryChat({ connections, responder: failing, sender, clock, scheduler });

    const outcome = await handleChatMessage(deps, new Delivery(sender), { userId: 'ann', connectionId: 'laptop', sessionId: 's', message: 'hi' });

    // The respond function failed (Lambda retries it: the retry ends the reply as failed); nothing more was posted.
    expect(invoker.failures).toEqual([new Error('model stream broke')]);
    expect(scheduled.length).toBeGreaterThan(0);
    expect(scheduled.every((timer) => timer.cancelled)).toBe(true);
    expect(sender.posts.map((post) => post.frame.type)).toEqual(['chat_message']);
    const reply = outcome.reply;
    expect(reply && (await replies.getMessage({ userId: 'ann', sessionId: 's', messageId: reply.messageId }))?.status).toBe('streaming');
  });

  it("frees the session's turn before the final reply is sent: a question asked on its arrival is answered, not refused", async () => {
    // Prepare: a client that asks its next question the moment a reply arrives
    const connections = new InMemoryConnectionStore();
    await connections.register(live('laptop'));
    const sender = new RecordingSender();
    const { deps } = inMemoryChat({ connections, responder: okResponder, sender, clock });
    const asked: Array<Promise<unknown>> = [];
    const post = sender.post.bind(sender);
    sender.post = async (connectionId, frame) => {
      if (roleOf(frame) === 'assistant' && asked.length === 0) {
        asked.push(handleChatMessage(deps, new Delivery(sender), { userId: 'ann', connectionId: 'laptop', sessionId: 's', message: 'next' }));
      }
      return post(connectionId, frame);
    };
    // Act
    await handleChatMessage(deps, new Delivery(sender), { userId: 'ann', connectionId: 'laptop', sessionId: 's', message: 'first' });
    await Promise.all(asked);
    // Assess
    expect(sender.posts.map((entry) => (entry.frame.type === 'chat_message' ? entry.frame.data.message : entry.frame.type))).toEqual(['first', 'ok', 'next', 'ok']);
  });
});
