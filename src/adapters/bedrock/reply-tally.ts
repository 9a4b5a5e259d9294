import type { ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime';
import type { Clock } from '../../domain/clock.ts';
import type { EarlyEnd, ReplyOutcome } from '../../domain/model-reply.ts';

/** Accumulates what a ConverseStream tells besides the text: stop reason, usage, timings. */
class ReplyTally {
  readonly #clock: Clock;
  readonly #startedAt: number;
  #text = '';
  #firstTokenAt: number | undefined;
  #stopReason: string | undefined;
  #inputTokens: number | undefined;
  #outputTokens: number | undefined;
  #latencyMs: number | undefined;

  public constructor(clock: Clock) {
    this.#clock = clock;
    this.#startedAt = clock.nowMs();
  }

  /** Everything yielded so far. */
  public get text(): string {
    return this.#text;
  }

  /** Reads one event; returns its text delta, if it carries one. */
  public record(event: ConverseStreamOutput): string | undefined {
    if (event.messageStop) this.#stopReason = event.messageStop.stopReason;
    if (event.metadata) {
      this.#inputTokens = event.metadata.usage?.inputTokens;
      this.#outputTokens = event.metadata.usage?.outputTokens;
      this.#latencyMs = event.metadata.metrics?.latencyMs;
    }
    const delta = event.contentBlockDelta?.delta?.text;
    if (!delta) return undefined;
    this.#firstTokenAt ??= this.#clock.nowMs();
    this.#text += delta;
    return delta;
  }

  public outcome(endedEarly?: EarlyEnd, errorName?: string): ReplyOutcome {
    return {
      ...(endedEarly === undefined && this.#stopReason !== undefined ? { stopReason: this.#stopReason } : {}),
      ...(this.#inputTokens === undefined ? {} : { inputTokens: this.#inputTokens }),
      ...(this.#outputTokens === undefined ? {} : { outputTokens: this.#outputTokens }),
      ...(endedEarly === undefined ? {} : { endedEarly }),
      ...(errorName === undefined ? {} : { errorName }),
      ...(this.#firstTokenAt === undefined ? {} : { timeToFirstTokenMs: this.#firstTokenAt - this.#startedAt }),
      ...(this.#latencyMs === undefined ? {} : { modelLatencyMs: this.#latencyMs }),
    };
  }
}

export { ReplyTally };
