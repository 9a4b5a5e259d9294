import type { FakeManagementApi } from '#testkit/fake-management-api.ts';
import { echoResponder } from '../src/domain/responder.ts';
import { startChatRig } from './support/chat-rig.ts';
import type { LoggedCall } from './support/dynamo-call-log.ts';
import { round } from './support/stats.ts';

interface AnswerCase {
  label: string;
  words: number;
  /** echo-stream's pause per word (ECHO_STREAM_DELAY_MS). */
  delayMs: number;
}

interface WritesSummaryRow {
  case: string;
  replyChars: number;
  /** The respond function's first DynamoDB call to its last: the answer's streaming time. */
  streamingSeconds: number;
  messageWrites: number;
  respondWrites: number;
  /** respond's reads: the cancel polls (GetItem every CANCEL_POLL_MS) and the rest. */
  cancelPolls: number;
  otherReads: number;
  respondWritesPerStreamingSecond: number;
  allCallsPerStreamingSecond: number;
}

interface WritesDetailRow {
  case: string;
  function: string;
  purpose: string;
  operation: string;
  calls: number;
}

interface WritesResult {
  summary: WritesSummaryRow[];
  detail: WritesDetailRow[];
}

const CASES: readonly AnswerCase[] = [
  { label: 'short: 7 words, no pause', words: 5, delayMs: 0 },
  { label: '4,000 chars at once: 1,334 words, no pause', words: 1332, delayMs: 0 },
  { label: 'long: 300 words, 20 ms a word (about 6 s)', words: 298, delayMs: 20 },
];

/** A question whose echo-stream answer ("You said: " + the question) has `words` + 2 words. */
const questionOf = (words: number): string => Array.from({ length: words }, (_, i) => `w${i % 10}`).join(' ');

const detailOf = (label: string, calls: readonly LoggedCall[]): WritesDetailRow[] => {
  const counts = new Map<string, WritesDetailRow>();
  for (const call of calls) {
    const key = `${call.function}|${call.purpose}|${call.operation}`;
    const row = counts.get(key) ?? { case: label, function: call.function, purpose: call.purpose, operation: call.operation, calls: 0 };
    row.calls += 1;
    counts.set(key, row);
  }
  return [...counts.values()];
};

const summaryOf = (label: string, replyChars: number, calls: readonly LoggedCall[]): WritesSummaryRow => {
  const respond = calls.filter((call) => call.function === 'respond');
  const streamingSeconds = respond.length > 1 ? ((respond.at(-1)?.at ?? 0) - (respond[0]?.at ?? 0)) / 1000 : 0;
  const respondWrites = respond.filter((call) => call.write).length;
  const cancelPolls = respond.filter((call) => call.purpose === 'cancel poll').length;
  // Under a second, a rate says nothing about streaming (the fixed calls of the start and end dominate).
  const perSecond = (count: number) => (streamingSeconds >= 1 ? round(count / streamingSeconds, 1) : Number.NaN);
  return {
    case: label,
    replyChars,
    streamingSeconds: round(streamingSeconds),
    messageWrites: calls.filter((call) => call.function === 'message' && call.write).length,
    respondWrites,
    cancelPolls,
    otherReads: respond.filter((call) => !call.write && call.purpose !== 'cancel poll').length,
    respondWritesPerStreamingSecond: perSecond(respondWrites),
    allCallsPerStreamingSecond: perSecond(respond.length),
  };
};

/**
 * Method: the real message chain and the respond function run in process (waiting for the reply) on
 * DynamoDB Local, one user with 3 connections and the daily token budget on (as a Bedrock deployment
 * has: reserved by message, settled by respond); echo-stream answers of a given length and pause per
 * word. An SDK middleware on the DynamoDB client logs every call under the function that made it
 * (the SDK call observer's `runAs` seam) and its purpose (told from the table, key and expression).
 */
const benchWritesPerAnswer = async (management: FakeManagementApi): Promise<WritesResult> => {
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  const summary: WritesSummaryRow[] = [];
  const detail: WritesDetailRow[] = [];
  try {
    for (const answer of CASES) {
      const rig = await startChatRig(management, {
        label: 'benchwrites',
        userId: 'bench-writes',
        connections: 3,
        responder: echoResponder('echo-stream', answer.delayMs),
        waitForReply: true,
        withBudget: true,
      });
      const uninstall = rig.log.install();
      try {
        const question = questionOf(answer.words);
        await rig.send('writes', question);
        if (rig.invoker.failures.length > 0) throw new Error(`writes per answer, ${answer.label}: the reply failed: ${String(rig.invoker.failures[0])}`);
        const calls = rig.log.calls.filter((call) => call.function !== 'bench');
        summary.push(summaryOf(answer.label, `You said: ${question}`.length, calls));
        detail.push(...detailOf(answer.label, calls));
      } finally {
        uninstall();
        rig.destroy();
      }
    }
  } finally {
    process.stdout.write = write;
  }
  return { summary, detail };
};

export type { WritesDetailRow, WritesResult, WritesSummaryRow };
export { benchWritesPerAnswer };
