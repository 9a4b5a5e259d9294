/**
 * One load scenario from start to verdict, shared by the jest load test and `npm run soak`: the
 * gateway, the clients and the dropper, then (with everything stopped, so nothing is still being
 * written) the stored history read back and compared with what each client delivered.
 */
import { randomUUID } from 'node:crypto';
import { LOCAL_DEFAULTS } from '../../src/local/dev-config.ts';
import { type LoadFigures, loadFigures } from './figures.ts';
import { startLoadGateway } from './load-gateway.ts';
import { type LoadProgress, type LoadRun, type Pace, runLoad } from './load-run.ts';
import { historyReader, type Verdict, verifyLoad } from './verify.ts';

interface ScenarioOptions {
  clients: number;
  messagesPerClient: number;
  /** @default 'queue' */
  pace?: Pace;
  dropsPerSecond: number;
  /** @default 'auto' (dist when built) */
  handlers?: 'source' | 'dist' | 'auto';
  /** @default 4 */
  maxSandboxesPerFunction?: number;
  /** Overrides for the functions' environment (the rate limit is raised by default). */
  functionEnvironment?: Record<string, string>;
  /** A token for `user` (called on every reconnect). */
  token: (user: string) => Promise<string>;
  /** The run stops waiting after this long and counts what is missing. */
  deadlineMs: number;
  /** @default random */
  seed?: number;
  /** @default process.env.AWS_ENDPOINT_URL_DYNAMODB */
  dynamoDbEndpoint?: string;
  onProgress?: (progress: LoadProgress) => void;
}

interface ScenarioResult {
  figures: LoadFigures;
  verdict: Verdict;
  run: LoadRun;
}

/**
 * @example
 * const { figures } = await runScenario({ clients: 200, messagesPerClient: 50, dropsPerSecond: 5, token, deadlineMs: 600_000 });
 */
const runScenario = async (options: ScenarioOptions): Promise<ScenarioResult> => {
  const environment = `tload${randomUUID().slice(0, 8)}`;
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const sandboxes = options.maxSandboxesPerFunction ?? 4;
  const region = process.env.AWS_REGION ?? LOCAL_DEFAULTS.region;
  const load = await startLoadGateway({
    environment,
    handlers: options.handlers ?? 'auto',
    maxSandboxesPerFunction: sandboxes,
    ...(options.dynamoDbEndpoint === undefined ? {} : { dynamoDbEndpoint: options.dynamoDbEndpoint }),
    ...(options.functionEnvironment === undefined ? {} : { functionEnvironment: options.functionEnvironment }),
  });
  let run: LoadRun;
  try {
    run = await runLoad({
      url: load.gateway.url,
      managementEndpoint: load.gateway.managementEndpoint,
      region,
      clients: options.clients,
      messagesPerClient: options.messagesPerClient,
      dropsPerSecond: options.dropsPerSecond,
      pace: options.pace ?? 'queue',
      liveConnections: load.liveConnections,
      token: options.token,
      runId: environment.slice(5),
      deadlineMs: options.deadlineMs,
      seed,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
  } finally {
    // Stopping drains the invocations still running: after this, storage no longer changes.
    await load.gateway.stop();
  }
  const reader = historyReader({ endpoint: load.gateway.dynamoDb.endpoint, region, tableName: load.gateway.tables.messages });
  let verdict: Verdict;
  try {
    verdict = await verifyLoad(run, reader);
  } finally {
    reader.destroy();
  }
  const figures = loadFigures(
    {
      clients: options.clients,
      messagesPerClient: options.messagesPerClient,
      pace: options.pace ?? 'queue',
      dropsPerSecond: options.dropsPerSecond,
      handlers: load.handlers,
      maxSandboxesPerFunction: sandboxes,
      functionEnvironment: load.functionEnvironment,
      seed,
    },
    run,
    verdict,
    load.invocations(),
  );
  return { figures, verdict, run };
};

export type { ScenarioOptions, ScenarioResult };
export { runScenario };
