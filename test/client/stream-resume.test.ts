/**
 * Following a streaming reply across drops and reloads (fake sockets, the test plays the server):
 * history's text so far of a reply still `streaming`, live chunks that overlap it or start past it,
 * and the final `chat_message`. The chunk events must add up to exactly the final text.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { ChatMessage, ReplyChunk } from '../../src/client/index.ts';
import { resumePoint } from '../../src/client/message-ids.ts';
import { advance, chunkFrame, fakeClient, flush, streamedText, streamingReply } from './support/fake-client.ts';
import { chat, chatFrame, historyFrame, idAt } from './support/frames.ts';

const START = Date.UTC(2026, 0, 1, 12, 0, 0);

/** Each piece continues exactly where the previous ones of its reply ended. */
const contiguous = (chunks: ReplyChunk[]): boolean => {
  let length = 0;
  for (const chunk of chunks) {
    if (chunk.offset !== length) return false;
    length += [...chunk.delta].length;
  }
  return true;
};

/** A small seeded generator (mulberry32): the same run every time. */
const seeded = (seed: number) => {
  let state = seed;
  return (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

beforeEach(() => {
  jest.useFakeTimers({ now: START });
});

afterEach(() => {
  jest.useRealTimers();
});

describe('ChatClient following a streaming reply', () => {
  it('hands out the text so far of a reply history returns still streaming, continues it with live chunks, and ends with the final message', async () => {
    const { client, messages, chunks, connected } = fakeClient();
    const socket = await connected();
    const question = chat({ messageId: idAt(START - 2000), message: 'how are you?' });
    const replyId = idAt(START - 1000);
    const final = chat({ messageId: replyId, role: 'assistant', message: 'Hello wörld 😀, how are you?', status: 'complete' });

    const caughtUp = client.openSession('s1');
    socket.receive(historyFrame('s1', [question, streamingReply(replyId, 'Hello wör')]));
    await caughtUp;
    socket.receive(chunkFrame(replyId, 4, 6, 'wörld 😀,')); // overlaps the text so far
    socket.receive(chunkFrame(replyId, 5, 14, ' how are you?'));
    socket.receive(chatFrame(final));

    expect(chunks).toEqual([
      { messageId: replyId, sessionId: 's1', offset: 0, delta: 'Hello wör' },
      { messageId: replyId, sessionId: 's1', offset: 9, delta: 'ld 😀,', seq: 4 },
      { messageId: replyId, sessionId: 's1', offset: 14, delta: ' how are you?', seq: 5 },
    ]);
    expect(streamedText(chunks)).toBe(final.message);
    expect(messages).toEqual([question, final]);
  });

  it('holds live chunks that start past the known text after a reconnect, fills the gap from history (again when history lags), and drops doubled text', async () => {
    const { client, sockets, messages, chunks, connected, reconnected } = fakeClient();
    const text = 'The quick brown fox jumps over the lazy dog.';
    const first = await connected();
    const question = chat({ messageId: idAt(START - 2000) });
    const replyId = idAt(START - 1000);
    const opened = client.openSession('s1');
    first.receive(historyFrame('s1', [question, streamingReply(replyId, '')]));
    await opened;
    first.receive(chunkFrame(replyId, 0, 0, text.slice(0, 10)));

    // Missed while reconnecting: 10..30. The new connection gets 30.. live before history answers, and
    // history (persisted a moment ago) only holds up to 20.
    const second = await reconnected();
    second.receive(chunkFrame(replyId, 3, 30, text.slice(30, 36)));
    second.receive(historyFrame('s1', [question, streamingReply(replyId, text.slice(0, 20))]));
    await flush();
    const whileLagging = streamedText(chunks);
    await advance(1000);
    second.receive(historyFrame('s1', [question, streamingReply(replyId, text.slice(0, 33))]));
    await flush();
    second.receive(chunkFrame(replyId, 3, 30, text.slice(30, 36))); // the same post again
    second.receive(chunkFrame(replyId, 4, 36, text.slice(36)));
    second.receive(chatFrame(chat({ messageId: replyId, role: 'assistant', message: text, status: 'complete' })));
    await advance(60_000);

    expect(whileLagging).toBe(text.slice(0, 20));
    expect(second.framesOf('history')).toEqual([
      { sessionId: 's1', after: resumePoint(question.messageId, 5000), limit: 100 },
      { sessionId: 's1', after: resumePoint(question.messageId, 5000), limit: 100 },
    ]);
    expect(sockets.all).toHaveLength(2);
    expect(streamedText(chunks)).toBe(text);
    expect(contiguous(chunks)).toBe(true);
    expect(messages.map((message) => message.messageId)).toEqual([question.messageId, replyId]);
  });

  it('fetches history again when a chunk goes missing on a live connection, and stops once the gap is filled', async () => {
    const { client, chunks, connected } = fakeClient();
    const socket = await connected();
    const question = chat({ messageId: idAt(START - 2000) });
    const replyId = idAt(START - 1000);
    const opened = client.openSession('s1');
    socket.receive(historyFrame('s1', [question]));
    await opened;

    socket.receive(chunkFrame(replyId, 0, 0, 'one '));
    socket.receive(chunkFrame(replyId, 2, 8, 'three ')); // seq 1 ('two ') never came
    const beforeCheck = socket.framesOf('history').length;
    await advance(1000);
    socket.receive(historyFrame('s1', [question, streamingReply(replyId, 'one two three')]));
    await flush();
    socket.receive(chunkFrame(replyId, 3, 14, 'four'));
    await advance(60_000);

    expect(beforeCheck).toBe(1);
    expect(socket.framesOf('history')).toHaveLength(2);
    expect(chunks.map((chunk) => [chunk.offset, chunk.delta])).toEqual([
      [0, 'one '],
      [4, 'two three'], // history's text so far
      [13, ' '], // what the held chunk adds to it
      [14, 'four'],
    ]);
  });

  it('completes a reply whose final frame went to a dropped connection: the next resume finds its final status in history', async () => {
    const { client, messages, chunks, connected, reconnected } = fakeClient();
    const first = await connected();
    const question = chat({ messageId: idAt(START - 2000) });
    const replyId = idAt(START - 1000);
    const opened = client.openSession('s1');
    first.receive(historyFrame('s1', [question, streamingReply(replyId, 'Stopped ')]));
    await opened;

    const second = await reconnected();
    const final = chat({ messageId: replyId, role: 'assistant', message: 'Stopped here', status: 'cancelled' });
    second.receive(historyFrame('s1', [question, final]));
    await flush();
    second.receive(chunkFrame(replyId, 1, 8, 'here, late'));

    expect(messages).toEqual([question, final]);
    expect(messages.filter((message: ChatMessage) => message.status === 'streaming')).toEqual([]);
    expect(streamedText(chunks)).toBe('Stopped ');
  });

  it('a new client (a page reload) continues a reply from history, holding the live chunks that arrive before it', async () => {
    const { client, chunks, messages, connected } = fakeClient();
    const socket = await connected();
    const question = chat({ messageId: idAt(START - 2000) });
    const replyId = idAt(START - 1000);
    const text = 'Reloaded pages keep following the answer.';

    const opened = client.openSession('s1');
    socket.receive(chunkFrame(replyId, 7, 25, text.slice(25, 33)));
    socket.receive(historyFrame('s1', [question, streamingReply(replyId, text.slice(0, 28))]));
    await opened;
    socket.receive(chunkFrame(replyId, 8, 33, text.slice(33)));
    socket.receive(chatFrame(chat({ messageId: replyId, role: 'assistant', message: text, status: 'complete' })));

    expect(chunks.map((chunk) => [chunk.offset, chunk.delta])).toEqual([
      [0, text.slice(0, 28)],
      [28, text.slice(28, 33)],
      [33, text.slice(33)],
    ]);
    expect(messages.map((message) => message.message)).toEqual(['hello', text]);
  });

  it('over 50 drops with lost, doubled and overlapping chunks and a lagging history, ends with text identical to the final reply', async () => {
    // Prepare: the server's reply (code points, some outside the BMP), its stream and its persisted text.
    const random = seeded(13);
    const words = Array.from({ length: 1500 }, (_, index) => `${['alpha', 'βeta', 'gamma😀', 'δ', 'epsilon'][index % 5]}${index} `);
    const text = words.join('');
    const characters = [...text];
    const { client, sockets, messages, chunks, errors, connected, reconnected } = fakeClient({
      reconnect: { baseDelayMs: 20, maxDelayMs: 100, maxAttempts: 1000 },
      rateLimit: { burst: 100, perSecond: 100 },
    });
    const question = chat({ messageId: idAt(START - 2000) });
    const replyId = idAt(START - 1000);
    const final = chat({ messageId: replyId, role: 'assistant', message: text, status: 'complete' });
    let sent = 0;
    let persisted = 0;
    let seq = 0;
    let ended = false;
    const serve = () => {
      sockets.last().autoAnswer = (frame) =>
        frame.action === 'history' ? historyFrame('s1', [question, ended ? final : streamingReply(replyId, characters.slice(0, persisted).join(''))]) : undefined;
    };
    await connected();
    serve();
    await client.openSession('s1');
    let drops = 0;

    // Act
    for (let step = 0; sent < characters.length; step += 1) {
      if (step % 8 === 7 && drops < 50) {
        drops += 1;
        // Half the time a chunk comes on the new connection before its history answer.
        await reconnected(() => serve());
        if (random() < 0.5) continue;
      }
      const length = 1 + Math.floor(random() * 40);
      const chunk = { offset: sent, delta: characters.slice(sent, sent + length).join('') };
      sent = Math.min(characters.length, sent + length);
      const fate = random();
      if (fate >= 0.15) sockets.last().receive(chunkFrame(replyId, seq, chunk.offset, chunk.delta));
      if (fate >= 0.9) {
        // A post repeated, or one overlapping the previous text.
        const back = Math.floor(random() * Math.min(chunk.offset, 30));
        sockets.last().receive(chunkFrame(replyId, seq, chunk.offset - back, characters.slice(chunk.offset - back, sent).join('')));
      }
      seq += 1;
      persisted = Math.max(persisted, sent - Math.floor(random() * 120));
      await advance(50);
    }
    // The final frame goes to a connection that drops before it arrives: the next resume finds it.
    persisted = characters.length;
    ended = true;
    drops += 1;
    await reconnected(() => serve());
    await advance(60_000);

    // Assess
    expect(drops).toBe(51);
    expect(sockets.all).toHaveLength(52);
    // Both sources were needed: live chunks (with seq) and the text so far from history (without).
    expect(chunks.filter((chunk) => chunk.seq === undefined).length).toBeGreaterThan(10);
    expect(chunks.filter((chunk) => chunk.seq !== undefined).length).toBeGreaterThan(100);
    expect(errors).toEqual([]);
    expect(streamedText(chunks)).toBe(text);
    expect(contiguous(chunks)).toBe(true);
    expect(messages).toEqual([question, final]);
  });
});
