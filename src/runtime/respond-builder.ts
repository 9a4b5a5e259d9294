import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { SenderPool } from '../delivery/management-api-sender.ts';
import type { ChunkBatchingOptions, Scheduler } from '../domain/chunk-batcher.ts';
import type { Clock } from '../domain/clock.ts';
import type { ConnectionStore } from '../domain/connection-store.ts';
import type { MessageStore } from '../domain/message-store.ts';
import type { ReplyPacing } from '../domain/reply-progress.ts';
import type { ReplyStore } from '../domain/reply-store.ts';
import type { Responder } from '../domain/responder.ts';
import type { TokenBudget } from '../domain/token-budget.ts';
import { type ObservabilityTools, observability } from '../middleware/observability.ts';
import { createRespondHandler, type RespondResult } from '../routes/respond-route.ts';

/**
 * The respond function's part of the composition root: no WebSocket event, so none of the frame
 * middleware; observability (traces, logs with the Lambda context, metrics flushed every invocation).
 */
interface RespondAdapters {
  tools: ObservabilityTools;
  clock: Clock;
  connections: ConnectionStore;
  messages: MessageStore;
  replies: ReplyStore;
  senders: SenderPool;
  responder: Responder;
  budget?: TokenBudget;
  /** For tests: the timer behind chunk batching and the reply's persist and cancel ticks. */
  scheduler?: Scheduler;
}

interface RespondPolicies {
  pacing: ReplyPacing;
  chunkBatching: ChunkBatchingOptions;
}

const buildRespond = (adapters: RespondAdapters, policies: RespondPolicies) =>
  middy<unknown, RespondResult, Error, Context>()
    .use(observability(adapters.tools))
    .handler(
      createRespondHandler({
        connections: adapters.connections,
        messages: adapters.messages,
        replies: adapters.replies,
        responder: adapters.responder,
        clock: adapters.clock,
        senders: adapters.senders,
        metrics: adapters.tools.metrics,
        logger: adapters.tools.logger,
        pacing: policies.pacing,
        chunkBatching: policies.chunkBatching,
        ...(adapters.budget ? { budget: adapters.budget } : {}),
        ...(adapters.scheduler ? { scheduler: adapters.scheduler } : {}),
      }),
    );

export type { RespondAdapters, RespondPolicies };
export { buildRespond };
