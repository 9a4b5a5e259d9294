import { performance } from 'node:perf_hooks';
import type { FakeManagementApi } from '#testkit/fake-management-api.ts';
import { echoResponder } from '../src/domain/responder.ts';
import { type ChatRig, startChatRig } from './support/chat-rig.ts';
import { quantile, round } from './support/stats.ts';

interface HandOffRow {
  mode: string;
  messages: number;
  p50Ms: number;
  p95Ms: number;
}

interface HandOffResult {
  rows: HandOffRow[];
  /** The hand-off's duration over the whole exchange's, at p50 and p95. */
  ratioP50: number;
  ratioP95: number;
}

const WARM_UP = 5;
const QUESTION = 'What does the hand-off cost?';

/** One timed invocation; then, untimed, waits for the reply so the next message starts on an idle process. */
const timed = async (rig: ChatRig, index: number): Promise<number> => {
  const start = performance.now();
  await rig.send(`handoff-${index}`, QUESTION);
  const elapsed = performance.now() - start;
  await rig.invoker.idle();
  if (rig.invoker.failures.length > 0) throw new Error(`hand-off bench: the reply failed: ${String(rig.invoker.failures[0])}`);
  return elapsed;
};

/**
 * Method: the real message chain (buildMessage, every middleware) on DynamoDB Local and the loopback
 * @connections API, one user with 3 connections, an `echo-stream` answer of 7 words. Hand-off: the
 * invocation returns once the respond job is queued (waitForReply false); the reply then runs in
 * process, waited for untimed before the next message. Whole exchange: the same chain waiting for the
 * reply to end (the synchronous path before issue 13). Interleaved, a new session per message.
 */
const benchHandOff = async (management: FakeManagementApi, messages: number): Promise<HandOffResult> => {
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  const rigs = [
    {
      mode: 'hand-off (returns when respond is queued)',
      rig: await startChatRig(management, { label: 'benchhand', userId: 'bench-hand', connections: 3, responder: echoResponder('echo-stream'), waitForReply: false }),
    },
    {
      mode: 'whole exchange (waits for the reply)',
      rig: await startChatRig(management, { label: 'benchwhole', userId: 'bench-whole', connections: 3, responder: echoResponder('echo-stream'), waitForReply: true }),
    },
  ];
  const samples = rigs.map(() => [] as number[]);
  try {
    for (let index = 0; index < WARM_UP + messages; index += 1) {
      const order = index % 2 === 0 ? [0, 1] : [1, 0];
      for (const which of order) {
        const elapsed = await timed((rigs[which] as (typeof rigs)[number]).rig, index);
        if (index >= WARM_UP) samples[which]?.push(elapsed);
      }
    }
  } finally {
    process.stdout.write = write;
    for (const { rig } of rigs) rig.destroy();
  }
  const rows = rigs.map(({ mode }, which) => {
    const values = samples[which] ?? [];
    return { mode, messages: values.length, p50Ms: round(quantile(values, 0.5)), p95Ms: round(quantile(values, 0.95)) };
  });
  const [handOff, whole] = rows as [HandOffRow, HandOffRow];
  return { rows, ratioP50: round(handOff.p50Ms / whole.p50Ms), ratioP95: round(handOff.p95Ms / whole.p95Ms) };
};

export type { HandOffResult, HandOffRow };
export { benchHandOff };
