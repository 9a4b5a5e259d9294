/** The load's figures, as the jest test records them and `npm run soak` prints them. */
import type { RouteFigures } from './load-gateway.ts';
import type { LoadRun, Pace } from './load-run.ts';
import type { Verdict } from './verify.ts';

interface LoadSetup {
  clients: number;
  messagesPerClient: number;
  pace: Pace;
  dropsPerSecond: number;
  handlers: 'source' | 'dist';
  maxSandboxesPerFunction: number;
  functionEnvironment: Record<string, string>;
  seed: number;
}

interface LoadFigures {
  setup: LoadSetup;
  /** Chat messages handed to `send`. */
  sent: number;
  acknowledged: number;
  /** Stored in the messages table: user messages and assistant replies. */
  stored: { user: number; assistant: number; total: number };
  /** `message` events the clients handed to the application. */
  delivered: number;
  lost: number;
  doubled: number;
  outOfOrderClients: number;
  mismatched: number;
  unfinishedClients: number;
  /** Connections deleted through the management API (204), and DELETEs that found the connection gone (410). */
  drops: number;
  dropsAlreadyGone: number;
  dropsFailed: number;
  /** The first failed DELETEs, each as `Name: message`. */
  dropFailureSamples: string[];
  /** Connections the clients opened again after a drop. */
  reconnects: number;
  /** RATE_LIMITED error frames the clients got (the raised limit should make this 0). */
  rateLimited: number;
  /** Other error frames. */
  otherErrors: number;
  /** The first few error frames other than RATE_LIMITED, code and message, for a person. */
  otherErrorSamples: string[];
  durationSeconds: number;
  /** Chat messages sent (acknowledged) per second, and stored messages per second. */
  messagesPerSecond: number;
  storedPerSecond: number;
  /** The gateway's invocations by route: how much work the drops and resumes added. */
  invocations: Record<string, RouteFigures>;
  problems: string[];
}

const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;

const loadFigures = (setup: LoadSetup, run: LoadRun, verdict: Verdict, invocations: Record<string, RouteFigures>): LoadFigures => {
  const errors = run.clients.flatMap((client) => client.serverErrors);
  const others = errors.filter((error) => error.code !== 'RATE_LIMITED');
  const seconds = run.durationMs / 1000;
  const storedTotal = verdict.storedUser + verdict.storedAssistant;
  return {
    setup,
    sent: verdict.sent,
    acknowledged: verdict.acknowledged,
    stored: { user: verdict.storedUser, assistant: verdict.storedAssistant, total: storedTotal },
    delivered: verdict.delivered,
    lost: verdict.lost.total,
    doubled: verdict.doubled.total,
    outOfOrderClients: verdict.outOfOrderClients,
    mismatched: verdict.mismatched,
    unfinishedClients: verdict.unfinishedClients,
    drops: run.drops.dropped,
    dropsAlreadyGone: run.drops.alreadyGone,
    dropsFailed: run.drops.failed,
    dropFailureSamples: run.drops.failures.slice(0, 5),
    reconnects: run.clients.reduce((sum, client) => sum + client.reconnects, 0),
    rateLimited: errors.filter((error) => error.code === 'RATE_LIMITED').length,
    otherErrors: others.length,
    otherErrorSamples: others.slice(0, 5).map((error) => `${error.code}: ${error.message}`),
    durationSeconds: round(seconds),
    messagesPerSecond: round(verdict.acknowledged / seconds),
    storedPerSecond: round(storedTotal / seconds),
    invocations,
    problems: verdict.problems,
  };
};

const formatFigures = (figures: LoadFigures): string => {
  const { setup } = figures;
  const env = Object.entries(setup.functionEnvironment)
    .filter(([name]) => name.startsWith('RATE_LIMIT') || name.startsWith('MAX_CONNECTIONS'))
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
  const lines = [
    `load: ${setup.clients} clients x ${setup.messagesPerClient} messages (${setup.pace}), ${setup.dropsPerSecond} drops/s, handlers ${setup.handlers}, ${setup.maxSandboxesPerFunction} sandboxes/function, ${env}, seed ${setup.seed}`,
    `  messages sent       ${figures.sent} (acknowledged ${figures.acknowledged})`,
    `  stored              ${figures.stored.total} (${figures.stored.user} user + ${figures.stored.assistant} assistant)`,
    `  delivered           ${figures.delivered} message events`,
    `  lost                ${figures.lost}`,
    `  doubled             ${figures.doubled}`,
    `  out of order        ${figures.outOfOrderClients} clients`,
    `  mismatched          ${figures.mismatched}`,
    `  unfinished clients  ${figures.unfinishedClients}`,
    `  drops               ${figures.drops} (DELETE 204; ${figures.dropsAlreadyGone} already gone, ${figures.dropsFailed} failed${figures.dropFailureSamples.length > 0 ? `: ${figures.dropFailureSamples.join('; ')}` : ''})`,
    `  reconnects          ${figures.reconnects}`,
    `  error frames        ${figures.rateLimited} RATE_LIMITED, ${figures.otherErrors} other${figures.otherErrorSamples.length > 0 ? ` (${figures.otherErrorSamples.join('; ')})` : ''}`,
    `  duration            ${figures.durationSeconds} s`,
    `  throughput          ${figures.messagesPerSecond} chat messages/s (${figures.storedPerSecond} stored messages/s)`,
    `  invocations         ${Object.entries(figures.invocations)
      .map(([route, counts]) => `${route} ${counts.count}${counts.failed ? ` (${counts.failed} failed)` : ''} (mean ${counts.meanDurationMs} ms + ${counts.meanWaitMs} ms waiting)`)
      .join(', ')}`,
  ];
  if (figures.problems.length > 0) lines.push('  problems:', ...figures.problems.map((problem) => `    - ${problem}`));
  return lines.join('\n');
};

export type { LoadFigures, LoadSetup };
export { formatFigures, loadFigures };
