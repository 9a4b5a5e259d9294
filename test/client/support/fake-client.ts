/** A ChatClient on fake sockets and jest's fake timers: the test plays the server (see fake-websocket.ts). */
import { jest } from '@jest/globals';
import { ChatClient, type ChatClientOptions, type ChatMessage, type IntegrationTimeout, type ReplyChunk, type SendFailure, type ServerError } from '../../../src/client/index.ts';
import { fakeSockets } from './fake-websocket.ts';
import { chat } from './frames.ts';

const flush = () => jest.advanceTimersByTimeAsync(0);
const advance = (ms: number) => jest.advanceTimersByTimeAsync(ms);

const fakeClient = (options: Partial<ChatClientOptions> = {}) => {
  const sockets = fakeSockets();
  const messages: ChatMessage[] = [];
  const chunks: ReplyChunk[] = [];
  const errors: ServerError[] = [];
  const debug: IntegrationTimeout[] = [];
  const failures: SendFailure[] = [];
  let tokens = 0;
  const client = new ChatClient({
    url: 'ws://gateway.test/dev',
    token: async () => {
      tokens += 1;
      return `token-${tokens}`;
    },
    WebSocket: sockets.WebSocket,
    random: () => 0.5,
    ...options,
  });
  client.on('message', (message) => messages.push(message));
  client.on('chunk', (chunk) => chunks.push(chunk));
  client.on('error', (error) => errors.push(error));
  client.on('debug', (event) => debug.push(event));
  client.on('sendFailed', (failure) => failures.push(failure));
  const connected = async () => {
    client.connect();
    await flush();
    sockets.last().accept();
    return sockets.last();
  };
  /** The server drops the connection; the client's reconnect (after its backoff) is accepted. */
  const reconnected = async (beforeAccept?: () => void) => {
    sockets.last().drop();
    await advance(client.status.retryInMs ?? 0);
    beforeAccept?.();
    sockets.last().accept();
    return sockets.last();
  };
  return { client, sockets, messages, chunks, errors, debug, failures, connected, reconnected };
};

/** A chunk frame of reply `messageId` in session s1. */
const chunkFrame = (messageId: string, seq: number, offset: number, delta: string) => ({ type: 'chat_message_chunk', data: { messageId, sessionId: 's1', seq, offset, delta } });

/** A reply as history returns it while it streams: its text so far. */
const streamingReply = (messageId: string, text: string): ChatMessage => chat({ messageId, role: 'assistant', message: text, status: 'streaming' });

/** The text the chunk events built. */
const streamedText = (chunks: ReplyChunk[]): string => chunks.map((chunk) => chunk.delta).join('');

export { advance, chunkFrame, fakeClient, flush, streamedText, streamingReply };
