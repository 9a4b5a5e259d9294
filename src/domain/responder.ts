import type { ModelCallOptions, ReplyOutcome } from './model-reply.ts';

/**
 * Produces the assistant's reply. `respond` yields the reply in pieces; when `streams` is true the
 * pieces are sent to the user as `chat_message_chunk` frames (batched by ChunkBatcher) before the
 * complete reply. After the iteration the reply's `outcome` says how it ended and what it cost.
 *
 * `echo` and `echo-stream` are here; `bedrock` (src/adapters/bedrock/bedrock-responder.ts) is the
 * assistant. Another model plugs in by implementing this interface (README, "The assistant").
 */
interface ResponderRequest {
  userId: string;
  sessionId: string;
  message: string;
  messageId: string;
}

/** A reply's pieces; a model's reply also tells, once iterated, how it ended and what it cost (ModelReply). */
type Reply = AsyncIterable<string> & { readonly outcome?: ReplyOutcome | undefined };

interface Responder {
  readonly streams: boolean;
  /** `options` carry what comes from the invocation: its remaining time, a cancel. */
  respond(request: ResponderRequest, options?: ModelCallOptions): Reply;
}

/** Deterministic and offline: the same message always gets the same reply. */
class EchoResponder implements Responder {
  public readonly streams: boolean = false;

  public async *respond(request: ResponderRequest): AsyncIterable<string> {
    yield replyText(request.message);
  }
}

/**
 * The echo reply, streamed word by word (for trying the chunk frames without a model), with an
 * optional pause per word: long answers for tests, cheaply. It stops like a model does: on the
 * caller's cancel (`cancelled`) and before the invocation's deadline (`truncated`).
 */
class StreamingEchoResponder implements Responder {
  public readonly streams: boolean = true;
  readonly #delayMs: number;

  public constructor(delayMs = 0) {
    this.#delayMs = delayMs;
  }

  public respond(request: ResponderRequest, options: ModelCallOptions = {}): Reply {
    const pieces = replyText(request.message).match(/\S+\s*/g) ?? [];
    const delayMs = this.#delayMs;
    const result: { outcome?: ReplyOutcome } = {};
    /** Why the reply must stop before its next piece, if it must. */
    const stopReason = (): ReplyOutcome | undefined => {
      if (options.signal?.aborted) return { endedEarly: 'cancelled' };
      if ((options.remainingMs?.() ?? Number.POSITIVE_INFINITY) <= ECHO_DEADLINE_MARGIN_MS + delayMs) return { endedEarly: 'deadline' };
      return undefined;
    };
    async function* stream(): AsyncGenerator<string> {
      for (const piece of pieces) {
        result.outcome = stopReason();
        if (result.outcome) return;
        if (delayMs > 0) await pause(delayMs, options.signal);
        if (options.signal?.aborted) {
          result.outcome = { endedEarly: 'cancelled' };
          return;
        }
        yield piece;
      }
      result.outcome = {};
    }
    const deltas = stream();
    return {
      [Symbol.asyncIterator]: () => deltas,
      get outcome() {
        return result.outcome;
      },
    };
  }
}

/** Kept free at the end of the invocation, as the bedrock responder's deadline margin. */
const ECHO_DEADLINE_MARGIN_MS = 1_000;

/** Waits `ms`, or less when `signal` aborts. */
const pause = (ms: number, signal: AbortSignal | undefined): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

const replyText = (message: string): string => `You said: ${message}`;

/** The offline responders by name (`bedrock` needs adapters: see src/runtime/responders.ts). */
const echoResponder = (kind: 'echo' | 'echo-stream', delayMs = 0): Responder => (kind === 'echo' ? new EchoResponder() : new StreamingEchoResponder(delayMs));

export type { Reply, Responder, ResponderRequest };
export { EchoResponder, echoResponder, replyText, StreamingEchoResponder };
