/**
 * Produces the assistant's reply. `respond` yields the reply in pieces; when `streams` is true the
 * pieces are sent to the user as `chat_message_chunk` frames (batched by ChunkBatcher) before the
 * complete reply.
 *
 * To plug in a real model, implement this interface (README, "Plugging in a model") and return it
 * from `createResponder`.
 */
interface ResponderRequest {
  userId: string;
  sessionId: string;
  message: string;
  messageId: string;
}

interface Responder {
  readonly streams: boolean;
  respond(request: ResponderRequest): AsyncIterable<string>;
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

/**
 * @example createResponder('echo-stream')
 * @default 'echo'
 */
const createResponder = (kind: string | undefined): Responder => {
  switch (kind ?? 'echo') {
    case 'echo':
      return new EchoResponder();
    case 'echo-stream':
      return new StreamingEchoResponder();
    default:
      throw new Error(`RESPONDER must be "echo" or "echo-stream", got "${kind}"`);
  }
};

export type { Responder, ResponderRequest };
export { createResponder, EchoResponder, replyText, StreamingEchoResponder };
