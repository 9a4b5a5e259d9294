import { type BedrockRuntimeClient, ConverseStreamCommand, type ConverseStreamCommandInput } from '@aws-sdk/client-bedrock-runtime';
import { type Scheduler, systemScheduler } from '../../domain/chunk-batcher.ts';
import { type Clock, systemClock } from '../../domain/clock.ts';
import { type ConversationBudget, type ConversationTurn, checkConversationBudget, shapeConversation } from '../../domain/conversation.ts';
import { ModelStreamInterruptedError } from '../../domain/model-errors.ts';
import type { HistorySource, ModelCallOptions, ModelReply, ReplyOutcome } from '../../domain/model-reply.ts';
import type { Responder, ResponderRequest } from '../../domain/responder.ts';
import { toModelError } from './model-error-mapping.ts';
import { ReplyTally } from './reply-tally.ts';
import { StreamStoppedError, StreamWatchdog } from './stream-watchdog.ts';

interface BedrockResponderSettings {
  /** A foundation model id or an inference profile id/ARN. */
  modelId: string;
  /** Sent as Converse's `system`; none when unset or blank. */
  systemPrompt?: string;
  maxTokens: number;
  /** 0 to 1; the model's default when unset. */
  temperature?: number;
  budget: ConversationBudget;
  /** Longest silence (no event, or no response) before the stream is aborted as stalled. @default 10000 */
  stallGapMs?: number;
  /** Kept free at the end of the invocation to store and send what was received. @default 3000 */
  deadlineMarginMs?: number;
  /** Told to a throttled user when the service gives no hint. @default 2000 */
  throttleRetryAfterMs?: number;
}

interface BedrockResponderDependencies {
  client: BedrockRuntimeClient;
  history: HistorySource;
  clock?: Clock;
  scheduler?: Scheduler;
}

const DEFAULT_STALL_GAP_MS = 10_000;
const DEFAULT_DEADLINE_MARGIN_MS = 3_000;
const DEFAULT_THROTTLE_RETRY_AFTER_MS = 2_000;

const checkSettings = (settings: BedrockResponderSettings): void => {
  if (settings.modelId.trim() === '') throw new RangeError('Bedrock modelId must not be blank');
  const positive = {
    maxTokens: settings.maxTokens,
    stallGapMs: settings.stallGapMs,
    deadlineMarginMs: settings.deadlineMarginMs,
    throttleRetryAfterMs: settings.throttleRetryAfterMs,
  };
  for (const [name, value] of Object.entries(positive)) {
    if (value !== undefined && (!Number.isInteger(value) || value < (name === 'deadlineMarginMs' ? 0 : 1))) {
      throw new RangeError(`Bedrock ${name} must be a whole number${name === 'deadlineMarginMs' ? '' : ' of at least 1'}, got ${value}`);
    }
  }
  const { temperature } = settings;
  if (temperature !== undefined && !(temperature >= 0 && temperature <= 1)) throw new RangeError(`Bedrock temperature must be between 0 and 1, got ${temperature}`);
  checkConversationBudget(settings.budget);
};

const toConverseMessages = (turns: ConversationTurn[]): ConverseStreamCommandInput['messages'] => turns.map((turn) => ({ role: turn.role, content: [{ text: turn.text }] }));

/**
 * The assistant on Amazon Bedrock's ConverseStream: the session's recent turns (within the budget)
 * and the question, streamed back delta by delta. The returned reply tells afterwards how it ended
 * (`outcome`; left undefined only when reading the history failed, an error thrown as it came). A reply stopped by silence, the deadline or a cancel ends normally with the text so
 * far; a broken stream throws ModelStreamInterruptedError; a refusal throws ModelThrottledError or
 * ModelUnavailableError (see model-error-mapping.ts).
 * @example
 * const responder = new BedrockResponder({ client: createBedrockClient(), history }, { modelId, maxTokens: 1024, budget: DEFAULT_CONVERSATION_BUDGET });
 * const reply = responder.respond(question, { remainingMs: () => context.getRemainingTimeInMillis() });
 * for await (const delta of reply) send(delta);
 * store(reply.outcome);
 */
class BedrockResponder implements Responder {
  public readonly streams: boolean = true;
  readonly #deps: Required<BedrockResponderDependencies>;
  readonly #settings: Required<Omit<BedrockResponderSettings, 'systemPrompt' | 'temperature'>> & Pick<BedrockResponderSettings, 'systemPrompt' | 'temperature'>;

  public constructor(deps: BedrockResponderDependencies, settings: BedrockResponderSettings) {
    checkSettings(settings);
    this.#deps = { ...deps, clock: deps.clock ?? systemClock, scheduler: deps.scheduler ?? systemScheduler };
    this.#settings = {
      ...settings,
      stallGapMs: settings.stallGapMs ?? DEFAULT_STALL_GAP_MS,
      deadlineMarginMs: settings.deadlineMarginMs ?? DEFAULT_DEADLINE_MARGIN_MS,
      throttleRetryAfterMs: settings.throttleRetryAfterMs ?? DEFAULT_THROTTLE_RETRY_AFTER_MS,
    };
  }

  public respond(request: ResponderRequest, options: ModelCallOptions = {}): ModelReply {
    const result: { outcome?: ReplyOutcome } = {};
    const deltas = this.#stream(request, options, result);
    return {
      [Symbol.asyncIterator]: () => deltas,
      get outcome() {
        return result.outcome;
      },
    };
  }

  /** The Converse input for a question: the shaped session context, the system prompt, the inference settings. */
  async #converseInput(request: ResponderRequest): Promise<ConverseStreamCommandInput> {
    const { modelId, systemPrompt, maxTokens, temperature, budget } = this.#settings;
    const turns = await this.#deps.history.recentTurns({
      userId: request.userId,
      sessionId: request.sessionId,
      beforeMessageId: request.messageId,
      limit: budget.maxMessages,
    });
    return {
      modelId,
      messages: toConverseMessages(shapeConversation(turns, request.message, budget)),
      ...(systemPrompt?.trim() ? { system: [{ text: systemPrompt }] } : {}),
      inferenceConfig: { maxTokens, ...(temperature === undefined ? {} : { temperature }) },
    };
  }

  async *#stream(request: ResponderRequest, options: ModelCallOptions, result: { outcome?: ReplyOutcome }): AsyncGenerator<string> {
    const input = await this.#converseInput(request);
    const remaining = options.remainingMs?.() ?? Number.POSITIVE_INFINITY;
    const watchdog = new StreamWatchdog({
      gapMs: this.#settings.stallGapMs,
      budgetMs: remaining - this.#settings.deadlineMarginMs,
      scheduler: this.#deps.scheduler,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const tally = new ReplyTally(this.#deps.clock);
    let streamStarted = false;
    try {
      // No time left (or cancelled already): do not start a generation that cannot be finished.
      if (watchdog.reason !== undefined) throw new StreamStoppedError(watchdog.reason);
      const response = await watchdog.guard(this.#deps.client.send(new ConverseStreamCommand(input), { abortSignal: watchdog.signal }));
      streamStarted = true;
      const events = response.stream?.[Symbol.asyncIterator]();
      for (;;) {
        const next = events ? await watchdog.guard(events.next()) : { done: true as const };
        if (next.done) break;
        const delta = tally.record(next.value);
        if (delta !== undefined) yield delta;
      }
      result.outcome = tally.outcome();
    } catch (error) {
      if (error instanceof StreamStoppedError || watchdog.reason !== undefined) {
        result.outcome = tally.outcome(watchdog.reason ?? 'cancelled');
        return;
      }
      const mapped = toModelError(error, { streamStarted, partialText: tally.text, defaultRetryAfterMs: this.#settings.throttleRetryAfterMs });
      result.outcome = tally.outcome(mapped instanceof ModelStreamInterruptedError ? 'interrupted' : 'refused', mapped.reason);
      throw mapped;
    } finally {
      // The caller stopped iterating early (a `break`): that is a cancel, and the request is released.
      result.outcome ??= tally.outcome('cancelled');
      watchdog.dispose();
    }
  }
}

export type { BedrockResponderDependencies, BedrockResponderSettings };
export { BedrockResponder };
