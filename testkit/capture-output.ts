/**
 * Captures everything written to stdout/stderr during a test file (Powertools logs and EMF go there),
 * keeps the run quiet, and fails the file if any captured line contains a registered secret (a JWT).
 * Set TEST_VERBOSE=1 to see the output as well.
 */
import { afterAll, expect } from '@jest/globals';

interface CapturedOutput {
  lines: string[];
  secrets: Set<string>;
}

const state: CapturedOutput = { lines: [], secrets: new Set() };
(globalThis as { __capturedOutput__?: CapturedOutput }).__capturedOutput__ = state;

const verbose = process.env.TEST_VERBOSE === '1';

const restorers: Array<() => void> = [];

const patch = (stream: NodeJS.WriteStream) => {
  const unpatched = stream.write;
  restorers.push(() => {
    stream.write = unpatched;
  });
  const original = unpatched.bind(stream);
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    state.lines.push(...text.split('\n').filter((line) => line.length > 0));
    if (verbose) return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof stream.write;
};

patch(process.stdout);
patch(process.stderr);

afterAll(() => {
  // Jest may run a single file in its own process: give the reporter its streams back.
  for (const restore of restorers) restore();
  const leaks = state.lines.filter((line) => [...state.secrets].some((secret) => line.includes(secret)));
  expect(leaks).toEqual([]);
});
