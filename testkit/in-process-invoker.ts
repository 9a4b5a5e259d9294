import type { Context } from 'aws-lambda';
import type { ReplyInvoker, ReplyJob } from '../src/domain/reply-job.ts';
import { EchoResponder } from '../src/domain/responder.ts';
import { respondPolicies } from '../src/runtime/environment.ts';
import { buildRespond, type RespondAdapters } from '../src/runtime/respond-builder.ts';
import type { RouteAdapters } from '../src/runtime/route-builders.ts';
import { lambdaContext } from './events.ts';
import type { InMemoryMessageStore } from './in-memory-message-store.ts';
import { InMemoryReplyStore } from './in-memory-reply-store.ts';
import { recordedAs } from './sdk-calls/call-recorder.ts';

type RespondEntry = (event: unknown, context: Context) => Promise<unknown>;

/**
 * Runs the respond function's chain in this process for each hand-off, as Lambda runs an Event
 * invoke: the job goes through JSON, a failure never reaches the caller (it is kept in `failures`),
 * and the calls are recorded as the respond function's. With `wait` (the default) the hand-off
 * returns once the reply has ended, so a test sees the whole exchange after `send`; without it,
 * `idle()` waits for every reply in progress.
 */
class InProcessReplyInvoker implements ReplyInvoker {
  public readonly jobs: ReplyJob[] = [];
  public readonly failures: unknown[] = [];
  readonly #respond: RespondEntry;
  readonly #wait: boolean;
  readonly #running = new Set<Promise<void>>();
  /** Replaces the Lambda context of the next runs (a short remaining time). */
  public context: () => Context = () => lambdaContext('test-websocket-respond');

  public constructor(respond: RespondEntry, { wait = true }: { wait?: boolean } = {}) {
    this.#respond = recordedAs('respond', respond);
    this.#wait = wait;
  }

  public async handOff(job: ReplyJob): Promise<void> {
    this.jobs.push(job);
    const run = this.#respond(JSON.parse(JSON.stringify(job)), this.context()).then(
      () => undefined,
      (error: unknown) => {
        this.failures.push(error);
      },
    );
    this.#running.add(run);
    void run.finally(() => this.#running.delete(run));
    if (this.#wait) await run;
  }

  /** Resolves when no reply is being generated. */
  public async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running]);
  }
}

/** The respond function on the given adapters, with the deployed defaults for its policies, run in process. */
const inProcessRespond = (adapters: RespondAdapters): InProcessReplyInvoker => new InProcessReplyInvoker(buildRespond(adapters, respondPolicies({})));

/**
 * Every route's adapters in memory, the reply store over the given messages and the respond function
 * (echo) run in process for each hand-off: for fuzzers and benchmarks of the composed chains.
 */
const inMemoryAdapters = (base: Omit<RespondAdapters, 'replies' | 'responder' | 'messages'> & { messages: InMemoryMessageStore }): RouteAdapters => {
  const replies = new InMemoryReplyStore(base.messages);
  return { ...base, replies, invoker: inProcessRespond({ ...base, replies, responder: new EchoResponder() }) };
};

export { InProcessReplyInvoker, inMemoryAdapters };
