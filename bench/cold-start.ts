import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DIST, ROOT } from '../build/bundle.ts';
import { FUNCTION_NAMES } from '../src/config/function-manifest.ts';
import { buildFloor } from './floor.ts';
import { median, p90, round } from './support/stats.ts';

interface Measurement {
  initMs: number;
  invokeMs?: number;
}

interface ColdStartRow {
  name: string;
  bundleKiB: number;
  floorKiB: number;
  extraKiB: number;
  initMedianMs: number;
  initP90Ms: number;
  floorInitMedianMs: number;
  floorInitP90Ms: number;
  initRatio: number;
  firstInvocationMedianMs: number;
  floorFirstInvocationMedianMs: number;
  /** The same clients plus Middy and Powertools' tracer/logger/metrics: what instrumentation alone costs. */
  instrumentedFloorKiB: number;
  instrumentedFloorInitMedianMs: number;
  instrumentedFloorInitRatio: number;
  withinBudget: boolean;
}

const MEASURE = join(ROOT, 'bench', 'support', 'measure-init.ts');

const measureOnce = (bundle: string, env: NodeJS.ProcessEnv): Promise<Measurement> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MEASURE, bundle], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', () => {
      const line = stderr
        .trim()
        .split('\n')
        .reverse()
        .find((candidate) => candidate.startsWith('{"initMs"'));
      if (!line) return reject(new Error(`measure-init failed for ${bundle}: ${stderr.slice(0, 500)}`));
      resolve(JSON.parse(line) as Measurement);
    });
  });

/**
 * Method: fresh Node processes import dist/<name>/index.mjs (module init, timed inside the process),
 * interleaved run by run with a floor bundle built with the same esbuild settings that holds only the
 * SDK clients the function needs; a second series adds one invocation against DynamoDB Local.
 */
const benchColdStarts = async (options: {
  runs: number;
  env: NodeJS.ProcessEnv;
  eventFor: (name: string, run: number) => unknown;
  floorEventFor: (name: string, run: number) => unknown;
}): Promise<ColdStartRow[]> => {
  const rows: ColdStartRow[] = [];
  for (const name of FUNCTION_NAMES) {
    const bundle = join(DIST, name, 'index.mjs');
    const floor = await buildFloor(name);
    const instrumentedFloor = await buildFloor(name, true);
    const init: number[] = [];
    const floorInit: number[] = [];
    const instrumentedInit: number[] = [];
    const invoke: number[] = [];
    const floorInvoke: number[] = [];
    for (let run = 0; run < options.runs; run += 1) {
      // Alternate which goes first, so drift on a shared machine hits both alike.
      const order = run % 2 === 0 ? (['real', 'floor'] as const) : (['floor', 'real'] as const);
      for (const which of order) {
        const path = which === 'real' ? bundle : floor.path;
        const measured = await measureOnce(path, options.env);
        (which === 'real' ? init : floorInit).push(measured.initMs);
      }
      instrumentedInit.push((await measureOnce(instrumentedFloor.path, options.env)).initMs);
      for (const which of order) {
        const path = which === 'real' ? bundle : floor.path;
        const event = which === 'real' ? options.eventFor(name, run) : options.floorEventFor(name, run);
        const measured = await measureOnce(path, { ...options.env, BENCH_EVENT: JSON.stringify(event) });
        (which === 'real' ? invoke : floorInvoke).push(measured.initMs + (measured.invokeMs ?? 0));
      }
    }
    const bundleBytes = (await stat(bundle)).size;
    const row: ColdStartRow = {
      name,
      bundleKiB: round(bundleBytes / 1024, 1),
      floorKiB: round(floor.bytes / 1024, 1),
      extraKiB: round((bundleBytes - floor.bytes) / 1024, 1),
      initMedianMs: round(median(init)),
      initP90Ms: round(p90(init)),
      floorInitMedianMs: round(median(floorInit)),
      floorInitP90Ms: round(p90(floorInit)),
      initRatio: round(median(init) / median(floorInit)),
      firstInvocationMedianMs: round(median(invoke)),
      floorFirstInvocationMedianMs: round(median(floorInvoke)),
      instrumentedFloorKiB: round(instrumentedFloor.bytes / 1024, 1),
      instrumentedFloorInitMedianMs: round(median(instrumentedInit)),
      instrumentedFloorInitRatio: round(median(instrumentedInit) / median(floorInit)),
      withinBudget: false,
    };
    row.withinBudget = row.initRatio <= 1.25 && bundleBytes - floor.bytes <= 150 * 1024;
    rows.push(row);
  }
  return rows;
};

export type { ColdStartRow };
export { benchColdStarts };
