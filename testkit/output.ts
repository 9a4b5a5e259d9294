interface CapturedOutput {
  lines: string[];
  secrets: Set<string>;
}

const captured = (): CapturedOutput => {
  const state = (globalThis as { __capturedOutput__?: CapturedOutput }).__capturedOutput__;
  if (!state) throw new Error('capture-output.ts is not installed (jest setupFilesAfterEnv)');
  return state;
};

/** Everything written to stdout/stderr so far in this test file. */
const capturedLines = (): string[] => [...captured().lines];

/** Lines written after `mark` (an index from `outputMark()`). */
const outputMark = (): number => captured().lines.length;
const linesSince = (mark: number): string[] => captured().lines.slice(mark);

/** Registers a secret (a token) that must never appear in captured output. */
const registerSecret = (secret: string): void => {
  captured().secrets.add(secret);
};

/** Parsed JSON lines (Powertools log lines and EMF blobs). */
const jsonLinesSince = (mark: number): Array<Record<string, unknown>> =>
  linesSince(mark).flatMap((line) => {
    try {
      const value = JSON.parse(line) as unknown;
      return value && typeof value === 'object' ? [value as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });

/** The sum of an EMF metric over the lines written after `mark` (a metric may hold one value or several). */
const metricIn = (mark: number, name: string): number =>
  jsonLinesSince(mark)
    .filter((line) => name in line)
    .flatMap((line) => [line[name]].flat())
    .reduce((sum: number, value) => sum + Number(value), 0);

export { capturedLines, jsonLinesSince, linesSince, metricIn, outputMark, registerSecret };
