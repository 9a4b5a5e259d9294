import type { OutgoingMessage } from './outbox.ts';
import type { ChatMessage } from './protocol.ts';

interface AwaitedReply {
  /** The acknowledged question, kept so a failed reply can be asked for again with the same clientMessageId. */
  question: OutgoingMessage;
  /** Its stored id: the reply is the first assistant message newer than it. */
  questionId: string;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * One exchange at a time: after a question is acknowledged, the next one waits until its reply has
 * been delivered. Two questions in flight would be answered by two invocations racing to post, so a
 * reply could reach the client after the next question (and a responder could answer the next
 * question without the previous reply in the conversation). A reply that does not come within the
 * timeout (streamed chunks extend it), or an error frame, ends the wait: the queue never stalls.
 */
class ReplyTurn {
  readonly #timeoutMs: number;
  readonly #onEnd: () => void;
  #awaited: AwaitedReply | undefined;

  /** @param onEnd called when a wait ends, so the next question can go out */
  public constructor(timeoutMs: number, onEnd: () => void) {
    this.#timeoutMs = timeoutMs;
    this.#onEnd = onEnd;
  }

  /** True while the next question must wait. */
  public get waiting(): boolean {
    return this.#awaited !== undefined;
  }

  public begin(question: OutgoingMessage, questionId: string): void {
    this.#clear();
    this.#awaited = { question, questionId, timer: this.#startTimer() };
  }

  /** A message reached the application: the awaited reply ends the wait. */
  public delivered(message: ChatMessage): void {
    const awaited = this.#awaited;
    if (awaited && message.role === 'assistant' && message.sessionId === awaited.question.sessionId && message.messageId > awaited.questionId) this.end();
  }

  /** A chunk of a reply in the awaited session: the reply is on its way, so the wait restarts. */
  public progressed(sessionId: string): void {
    const awaited = this.#awaited;
    if (!awaited || awaited.question.sessionId !== sessionId) return;
    clearTimeout(awaited.timer);
    awaited.timer = this.#startTimer();
  }

  public end(): void {
    if (!this.#awaited) return;
    this.#clear();
    this.#onEnd();
  }

  /** Ends the wait without sending anything (the client stopped, or will resend) and returns the question that was waiting, if any. */
  public abandon(): OutgoingMessage | undefined {
    const question = this.#awaited?.question;
    this.#clear();
    return question;
  }

  #startTimer(): ReturnType<typeof setTimeout> {
    return setTimeout(() => this.end(), this.#timeoutMs);
  }

  #clear(): void {
    if (this.#awaited) clearTimeout(this.#awaited.timer);
    this.#awaited = undefined;
  }
}

export { ReplyTurn };
