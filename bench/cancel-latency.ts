import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FakeManagementApi } from '#testkit/fake-management-api.ts';
import { DEFAULT_REPLY_PACING } from '../src/domain/reply-progress.ts';
import { echoResponder } from '../src/domain/responder.ts';
import { type ChatRig, startChatRig } from './support/chat-rig.ts';
import { quantile, round } from './support/stats.ts';

interface CancelRow {
  measure: string;
  tries: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

interface CancelResult {
  rows: CancelRow[];
  /** Tries whose reply did not end `cancelled` (it ended before the cancel, or failed). */
  notCancelled: number;
  /** The bar: p99 from the cancel frame to the last chunk ≤ 1 s. */
  lastChunkP99WithinBudget: boolean;
}

const CONNECTIONS = 3;
/** 1,200 words at 10 ms each (a question under the 4,000-character limit): a 12 s answer, far longer than any try. */
const WORDS = 1_200;
const DELAY_MS = 10;
const QUESTION = Array.from({ length: WORDS }, (_, i) => `w${i % 10}`).join(' ');

/** Resolves when the reply's first chunk has been posted. */
const firstChunk = async (rig: ChatRig, messageId: string): Promise<void> => {
  const deadline = performance.now() + 10_000;
  while (!rig.timer.posts.some((post) => post.type === 'chat_message_chunk' && post.messageId === messageId)) {
    if (performance.now() > deadline) throw new Error('cancel latency: no chunk came within 10 s');
    await sleep(2);
  }
};

interface TrySample {
  cancelInvocationMs: number;
  lastChunkMs: number;
  finalMs: number;
  cancelled: boolean;
}

const oneTry = async (rig: ChatRig, index: number): Promise<TrySample> => {
  const sessionId = `cancel-${index}`;
  const handedOff = rig.invoker.jobs.length;
  await rig.send(sessionId, QUESTION);
  if (rig.invoker.jobs.length === handedOff) throw new Error('cancel latency: the question was refused (no hand-off)');
  const messageId = rig.invoker.jobs.at(-1)?.replyMessageId ?? '';
  await firstChunk(rig, messageId);
  // The cancel lands at a different phase of the 250 ms cancel poll each try.
  await sleep((index * 37) % DEFAULT_REPLY_PACING.cancelPollMs);
  const start = performance.now();
  await rig.cancel(sessionId, messageId);
  const cancelInvocationMs = performance.now() - start;
  await rig.invoker.idle();
  const posts = rig.timer.posts.filter((post) => post.messageId === messageId);
  const lastChunk = Math.max(...posts.filter((post) => post.type === 'chat_message_chunk').map((post) => post.at));
  const finals = posts.filter((post) => post.type === 'chat_message');
  return {
    cancelInvocationMs,
    // A chunk already posted before the cancel started counts as 0: nothing came after it.
    lastChunkMs: Math.max(0, lastChunk - start),
    finalMs: Math.max(...finals.map((post) => post.at)) - start,
    cancelled: finals.length === CONNECTIONS && finals.every((post) => post.status === 'cancelled'),
  };
};

const rowOf = (measure: string, values: readonly number[]): CancelRow => ({
  measure,
  tries: values.length,
  p50Ms: round(quantile(values, 0.5)),
  p95Ms: round(quantile(values, 0.95)),
  p99Ms: round(quantile(values, 0.99)),
  maxMs: round(Math.max(...values)),
});

/**
 * Method: the real message chain on DynamoDB Local returning at the hand-off, the respond function in
 * process streaming a 1,202-word echo-stream answer (10 ms a word) to 3 connections, and the real
 * cancel chain (buildCancel, every middleware) invoked once the first chunk was posted, after a pause
 * that puts it at a different phase of the 250 ms cancel poll each try; a new session per try. Times
 * are taken when the @connections API answered each post.
 */
const benchCancelLatency = async (management: FakeManagementApi, tries: number): Promise<CancelResult> => {
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  const rig = await startChatRig(management, {
    label: 'benchcancel',
    userId: 'bench-cancel',
    connections: CONNECTIONS,
    responder: echoResponder('echo-stream', DELAY_MS),
    waitForReply: false,
  });
  const samples: TrySample[] = [];
  try {
    for (let index = 0; index < tries; index += 1) {
      samples.push(await oneTry(rig, index));
      rig.timer.reset();
    }
  } finally {
    process.stdout.write = write;
    rig.destroy();
  }
  if (rig.invoker.failures.length > 0) throw new Error(`cancel latency: a reply failed: ${String(rig.invoker.failures[0])}`);
  const lastChunk = rowOf(
    'cancel frame → last chunk post',
    samples.map((sample) => sample.lastChunkMs),
  );
  return {
    rows: [
      rowOf(
        'cancel invocation (cancel_result posted)',
        samples.map((sample) => sample.cancelInvocationMs),
      ),
      lastChunk,
      rowOf(
        'cancel frame → final `cancelled` chat_message (last of 3 connections)',
        samples.map((sample) => sample.finalMs),
      ),
    ],
    notCancelled: samples.filter((sample) => !sample.cancelled).length,
    lastChunkP99WithinBudget: lastChunk.p99Ms <= 1_000,
  };
};

export type { CancelResult, CancelRow };
export { benchCancelLatency };
