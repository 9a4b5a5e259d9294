import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { answerFor, type ConverseRequest, inputTokens, words } from './converse-request.ts';
import type { Fault } from './faults.ts';
import { encodeEvent, encodeException, startEventStream } from './wire.ts';

/** How a streamed answer ended: all events sent, an injected exception, a stall, or the client hung up. */
type StreamEnd = 'completed' | 'exception' | 'stalled' | 'client-closed';

interface StreamSettings {
  fault: Fault | undefined;
  /** Pause before each word (0: none). */
  wordDelayMs: number;
  onEvent: () => void;
}

interface PlannedEvent {
  type: string;
  /** Called when the event is sent (metadata reports the latency up to then). */
  payload: () => unknown;
  /** Text deltas are paced at the token rate; the other events follow at once. */
  paced: boolean;
}

/** The events of a whole answer, in the order the service sends them. `maxTokens` cuts it like the model would. */
const planEvents = (conversation: ConverseRequest, startedAt: number): PlannedEvent[] => {
  const all = words(answerFor(conversation));
  const sent = conversation.maxTokens === undefined ? all : all.slice(0, conversation.maxTokens);
  const stopReason = sent.length < all.length ? 'max_tokens' : 'end_turn';
  const input = inputTokens(conversation);
  return [
    { type: 'messageStart', payload: () => ({ role: 'assistant' }), paced: false },
    ...sent.map((text) => ({ type: 'contentBlockDelta', payload: () => ({ contentBlockIndex: 0, delta: { text } }), paced: true })),
    { type: 'contentBlockStop', payload: () => ({ contentBlockIndex: 0 }), paced: false },
    { type: 'messageStop', payload: () => ({ stopReason }), paced: false },
    {
      type: 'metadata',
      payload: () => ({
        usage: { inputTokens: input, outputTokens: sent.length, totalTokens: input + sent.length },
        metrics: { latencyMs: Date.now() - startedAt },
      }),
      paced: false,
    },
  ];
};

/** Resolves when the client goes away; rejects nothing. */
const closedByClient = (response: ServerResponse, hangUp: AbortController): Promise<'client-closed'> =>
  new Promise((resolve) => {
    response.once('close', () => {
      if (!response.writableFinished) {
        hangUp.abort();
        resolve('client-closed');
      }
    });
  });

/**
 * Streams one answer on `response`, applying an exception or stall fault at its event index.
 * A stall leaves the response open until the client hangs up (or the server stops).
 */
const streamAnswer = async (response: ServerResponse, conversation: ConverseRequest, settings: StreamSettings): Promise<StreamEnd> => {
  const hangUp = new AbortController();
  const hungUp = closedByClient(response, hangUp);
  startEventStream(response);
  const events = planEvents(conversation, Date.now());
  const { fault } = settings;
  for (const [index, event] of events.entries()) {
    if (fault?.kind === 'exception' && index === fault.afterEvents) {
      response.end(encodeException(fault.exceptionType, `The model stream failed (fake Bedrock ${fault.exceptionType} after ${index} events).`));
      settings.onEvent();
      return 'exception';
    }
    if (fault?.kind === 'stall' && index === fault.afterEvents) {
      await hungUp;
      return 'stalled';
    }
    if (event.paced && settings.wordDelayMs > 0) {
      const paused = await sleep(settings.wordDelayMs, 'paused', { signal: hangUp.signal }).catch(() => 'client-closed' as const);
      if (paused === 'client-closed') return paused;
    }
    if (hangUp.signal.aborted) return 'client-closed';
    response.write(encodeEvent(event.type, event.payload()));
    settings.onEvent();
  }
  response.end();
  return 'completed';
};

export type { StreamEnd };
export { streamAnswer };
