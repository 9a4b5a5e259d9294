import { performance } from 'node:perf_hooks';
import type { Reply, Responder } from '../../src/domain/responder.ts';

/**
 * Wraps a responder to note when each reply's first delta reaches the chat service (before the chunk
 * batcher), forwarding the deltas and the reply's `outcome` unchanged. Costs one generator hop a delta.
 */
const probeFirstDelta = (inner: Responder, firstDeltaAt: number[]): Responder => ({
  streams: inner.streams,
  respond(request, options): Reply {
    const reply = inner.respond(request, options);
    return {
      async *[Symbol.asyncIterator]() {
        let first = true;
        for await (const delta of reply) {
          if (first) firstDeltaAt.push(performance.now());
          first = false;
          yield delta;
        }
      },
      get outcome() {
        return reply.outcome;
      },
    };
  },
});

export { probeFirstDelta };
