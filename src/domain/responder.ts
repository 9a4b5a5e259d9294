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

/** The echo reply, streamed word by word (for trying the chunk frames without a model). */
class StreamingEchoResponder implements Responder {
  public readonly streams: boolean = true;

  public async *respond(request: ResponderRequest): AsyncIterable<string> {
    for (const piece of replyText(request.message).match(/\S+\s*/g) ?? []) yield piece;
  }
}

const replyText = (message: string): string => `You said: ${message}`;

/** The offline responders by name (`bedrock` needs adapters: see src/runtime/responders.ts). */
const echoResponder = (kind: 'echo' | 'echo-stream'): Responder => (kind === 'echo' ? new EchoResponder() : new StreamingEchoResponder());

export type { Reply, Responder, ResponderRequest };
export { EchoResponder, echoResponder, replyText, StreamingEchoResponder };
