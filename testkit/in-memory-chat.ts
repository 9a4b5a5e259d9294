import { SenderPool } from '../src/delivery/management-api-sender.ts';
import type { ChatObserver } from '../src/domain/chat-observer.ts';
import type { ChatDependencies } from '../src/domain/chat-service.ts';
import { type ChunkBatchingOptions, DEFAULT_CHUNK_BATCHING, type Scheduler } from '../src/domain/chunk-batcher.ts';
import type { Clock } from '../src/domain/clock.ts';
import { DEFAULT_REPLY_PACING, type ReplyPacing } from '../src/domain/reply-progress.ts';
import type { Responder } from '../src/domain/responder.ts';
import type { Sender } from '../src/domain/sender.ts';
import type { TokenBudget } from '../src/domain/token-budget.ts';
import { tools } from '../src/runtime/environment.ts';
import { buildRespond } from '../src/runtime/respond-builder.ts';
import type { InMemoryConnectionStore } from './in-memory-connection-store.ts';
import { InMemoryMessageStore } from './in-memory-message-store.ts';
import { InMemoryReplyStore } from './in-memory-reply-store.ts';
import { InProcessReplyInvoker } from './in-process-invoker.ts';

interface InMemoryChatOptions {
  connections: InMemoryConnectionStore;
  responder: Responder;
  /** Where every post and close goes (one sender for the message and the respond function). */
  sender: Sender;
  messages?: InMemoryMessageStore;
  clock?: Clock;
  budget?: TokenBudget;
  observer?: ChatObserver;
  scheduler?: Scheduler;
  chunkBatching?: ChunkBatchingOptions;
  pacing?: ReplyPacing;
}

const systemClock: Clock = { nowMs: () => Date.now() };

/**
 * The chat service's dependencies in memory, with the respond function's chain run in process for each
 * hand-off (the hand-off returns when the reply has ended): unit tests see the whole exchange.
 */
const inMemoryChat = (options: InMemoryChatOptions) => {
  const messages = options.messages ?? new InMemoryMessageStore();
  const replies = new InMemoryReplyStore(messages);
  const clock = options.clock ?? systemClock;
  const senders = new SenderPool('http://unused', () => options.sender);
  const respond = buildRespond(
    {
      tools,
      clock,
      connections: options.connections,
      messages,
      replies,
      senders,
      responder: options.responder,
      ...(options.budget ? { budget: options.budget } : {}),
      ...(options.scheduler ? { scheduler: options.scheduler } : {}),
    },
    { pacing: options.pacing ?? DEFAULT_REPLY_PACING, chunkBatching: options.chunkBatching ?? DEFAULT_CHUNK_BATCHING },
  );
  const invoker = new InProcessReplyInvoker(respond);
  const deps: ChatDependencies = {
    connections: options.connections,
    messages,
    replies,
    invoker,
    clock,
    turnHoldMs: 360_000,
    ...(options.budget ? { budget: options.budget } : {}),
    ...(options.observer ? { observer: options.observer } : {}),
  };
  return { deps, invoker, messages, replies };
};

export { inMemoryChat };
