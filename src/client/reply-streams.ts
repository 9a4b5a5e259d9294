import type { ChatChunk, ChatMessage } from './protocol.ts';

/**
 * A piece of a streaming reply as the application gets it (the `chunk` event): `delta` starts at
 * `offset`, which is always the length (in code points) of what was handed out before for that
 * reply, so `text += delta` is exact. `seq` is the chunk frame's; it is absent on the text so far
 * that `history` returned for a reply still `streaming` (after `openSession`, a reconnect, a reload).
 */
type ReplyChunk = Omit<ChatChunk, 'seq'> & { seq?: number };

interface HeldPiece {
  offset: number;
  characters: string[];
  seq?: number;
}

interface Stream {
  sessionId: string;
  /** Code points handed to the application; Infinity once the reply ended. */
  known: number;
  /** Pieces that start past `known` (text between was missed), held until history fills the gap; by offset. */
  ahead: HeldPiece[];
}

/** Held characters per reply beyond a gap; past that the newest are dropped (the final `chat_message` still brings them). */
const MAX_HELD_CHARACTERS = 200_000;

/**
 * Follows streaming replies by their pieces' `offset`, so the text of a reply reaches the
 * application once and with no gap. Pieces come from live chunk frames and from `history` (the text
 * so far of a reply whose status is `streaming`). A piece that repeats text already handed out keeps
 * only its new end; a piece that starts past the text so far (chunks were missed, e.g. during a
 * reconnect) is held until the missing text arrives from history, then handed out in order. The
 * final `chat_message` ends the stream. Offsets count code points, as the server does.
 */
class ReplyStreams {
  /** By messageId, oldest first; bounded. */
  readonly #streams = new Map<string, Stream>();
  readonly #remember: number;

  public constructor(remember = 50) {
    this.#remember = remember;
  }

  /** A live chunk: the pieces to hand out now (none, one, or more when it filled a gap), and whether a gap remains. */
  public accept(chunk: ChatChunk): { pieces: ReplyChunk[]; gap: boolean } {
    // A server that sends no offsets: pass chunks through as they come.
    if (typeof chunk.offset !== 'number' || typeof chunk.delta !== 'string') return { pieces: [chunk], gap: false };
    return this.#take(chunk.messageId, chunk.sessionId, { offset: chunk.offset, characters: [...chunk.delta], seq: chunk.seq });
  }

  /** A reply `history` returned with status `streaming`: its text so far, from offset 0. */
  public fill(reply: ChatMessage): { pieces: ReplyChunk[]; gap: boolean } {
    return this.#take(reply.messageId, reply.sessionId, { offset: 0, characters: [...reply.message] });
  }

  /** The final reply arrived: its stream is over, and a piece of it arriving late is not shown. */
  public finished(messageId: string, sessionId: string): void {
    this.#streams.delete(messageId);
    this.#streams.set(messageId, { sessionId, known: Number.POSITIVE_INFINITY, ahead: [] });
    this.#forgetOldest();
  }

  /** True while a reply of the session holds pieces beyond a gap. */
  public gapped(sessionId: string): boolean {
    for (const stream of this.#streams.values()) if (stream.sessionId === sessionId && stream.ahead.length > 0) return true;
    return false;
  }

  #take(messageId: string, sessionId: string, piece: HeldPiece): { pieces: ReplyChunk[]; gap: boolean } {
    let stream = this.#streams.get(messageId);
    if (!stream) {
      stream = { sessionId, known: 0, ahead: [] };
      this.#streams.set(messageId, stream);
      this.#forgetOldest();
    }
    if (piece.offset > stream.known) {
      this.#hold(stream, piece);
      return { pieces: [], gap: true };
    }
    const pieces: ReplyChunk[] = [];
    this.#append(stream, messageId, piece, pieces);
    // What was held may continue the text now.
    while (stream.ahead.length > 0 && (stream.ahead[0] as HeldPiece).offset <= stream.known) {
      this.#append(stream, messageId, stream.ahead.shift() as HeldPiece, pieces);
    }
    return { pieces, gap: stream.ahead.length > 0 };
  }

  #append(stream: Stream, messageId: string, piece: HeldPiece, pieces: ReplyChunk[]): void {
    const fresh = piece.characters.slice(stream.known - piece.offset);
    if (fresh.length === 0) return;
    pieces.push({ messageId, sessionId: stream.sessionId, offset: stream.known, delta: fresh.join(''), ...(piece.seq === undefined ? {} : { seq: piece.seq }) });
    stream.known += fresh.length;
  }

  #hold(stream: Stream, piece: HeldPiece): void {
    const held = stream.ahead.reduce((sum, each) => sum + each.characters.length, 0);
    if (held + piece.characters.length > MAX_HELD_CHARACTERS) return;
    const at = stream.ahead.findIndex((each) => each.offset > piece.offset);
    stream.ahead.splice(at === -1 ? stream.ahead.length : at, 0, piece);
  }

  #forgetOldest(): void {
    if (this.#streams.size > this.#remember) this.#streams.delete(this.#streams.keys().next().value as string);
  }
}

export type { ReplyChunk };
export { ReplyStreams };
