import type { ChatChunk } from './protocol.ts';

/**
 * Follows streaming replies by their chunks' `offset`, so the text of a reply reaches the application
 * once and with no gap: a chunk that repeats text already delivered keeps only its new end; a chunk
 * that starts past the text so far (a chunk was lost) is dropped, as is the rest of that stream: the
 * complete reply arrives as a `message` anyway. Offsets count code points, as the server does.
 */
class ReplyStreams {
  /** Code points delivered per streaming reply (messageId; Infinity once complete), oldest first; bounded. */
  readonly #delivered = new Map<string, number>();
  readonly #remember: number;

  public constructor(remember = 50) {
    this.#remember = remember;
  }

  /** The part of `chunk` to hand to the application, with its offset, or undefined when it brings nothing new. */
  public accept(chunk: ChatChunk): ChatChunk | undefined {
    // A server that sends no offsets: pass chunks through as they come.
    if (typeof chunk.offset !== 'number' || typeof chunk.delta !== 'string') return chunk;
    const known = this.#delivered.get(chunk.messageId) ?? 0;
    if (chunk.offset > known) return undefined;
    const characters = [...chunk.delta];
    const fresh = characters.slice(known - chunk.offset);
    if (fresh.length === 0) return undefined;
    this.#delivered.delete(chunk.messageId);
    this.#delivered.set(chunk.messageId, known + fresh.length);
    this.#forgetOldest();
    return fresh.length === characters.length ? chunk : { ...chunk, offset: known, delta: fresh.join('') };
  }

  /** The complete reply arrived: its stream is over, and a chunk of it arriving late is not shown. */
  public finished(messageId: string): void {
    this.#delivered.delete(messageId);
    this.#delivered.set(messageId, Number.POSITIVE_INFINITY);
    this.#forgetOldest();
  }

  #forgetOldest(): void {
    if (this.#delivered.size > this.#remember) this.#delivered.delete(this.#delivered.keys().next().value as string);
  }
}

export { ReplyStreams };
