import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../build/bundle.ts';
import { median, round } from './support/stats.ts';

interface WarmRow {
  name: string;
  bareMicros: number;
  chainMicros: number;
  addedMicros: number;
  /** Middy + Powertools tracer/logger/metrics alone around the bare route: the instrumentation floor. */
  powertoolsFloorMicros: number;
  /** The project's own middleware: full chain minus the instrumentation floor. */
  projectMiddlewareMicros: number;
  withinBudget: boolean;
}

/**
 * Method: in a child process with stdout to /dev/null, each route runs as the bare route function,
 * as the bare function inside Middy with only Powertools' tracer/logger/metrics (the floor of any
 * instrumented handler), and as its full middleware chain (in-memory adapters, real Powertools):
 * 5 interleaved rounds of 2000 calls after a warm-up; figures are medians per invocation.
 */
const benchWarmOverhead = (): Promise<WarmRow[]> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bench', 'support', 'warm-worker.ts')], {
      env: { ...process.env, POWERTOOLS_DEV: '', AWS_REGION: process.env.AWS_REGION ?? 'us-east-1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = stderr
        .trim()
        .split('\n')
        .reverse()
        .find((candidate) => candidate.startsWith('{'));
      if (code !== 0 || !line) return reject(new Error(`warm-worker failed (${code}): ${stderr.slice(-1000)}`));
      const raw = JSON.parse(line) as Record<string, { bareMicros: number[]; chainMicros: number[]; observabilityOnlyMicros: number[] }>;
      resolve(
        Object.entries(raw).map(([name, samples]) => {
          const bare = median(samples.bareMicros);
          const chain = median(samples.chainMicros);
          const floor = median(samples.observabilityOnlyMicros);
          return {
            name,
            bareMicros: round(bare, 1),
            chainMicros: round(chain, 1),
            addedMicros: round(chain - bare, 1),
            powertoolsFloorMicros: round(floor - bare, 1),
            projectMiddlewareMicros: round(chain - floor, 1),
            withinBudget: chain - bare <= 50,
          };
        }),
      );
    });
  });

export type { WarmRow };
export { benchWarmOverhead };
