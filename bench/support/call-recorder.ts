import { performance } from 'node:perf_hooks';

interface RecordedCall {
  service: string;
  operation: string;
  start: number;
  end: number;
}

interface MiddlewareStackHolder {
  middlewareStack: { add: (middleware: any, options: { step: 'initialize'; name: string }) => void };
}

/**
 * Records every SDK call made by the clients it is attached to (an SDK middleware at the initialize
 * step, so each logical call counts once, retries included).
 */
class CallRecorder {
  public readonly calls: RecordedCall[] = [];

  public attach(client: MiddlewareStackHolder, service: string): void {
    client.middlewareStack.add(
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
        const start = performance.now();
        try {
          return await next(args);
        } finally {
          this.calls.push({ service, operation: context.commandName ?? 'unknown', start, end: performance.now() });
        }
      },
      { step: 'initialize', name: `benchCallRecorder-${service}` },
    );
  }

  public reset(): void {
    this.calls.length = 0;
  }
}

/**
 * How many DynamoDB round trips happen one after another before the first post: calls are grouped
 * into waves, a new wave starting when a call starts after every earlier call has ended.
 */
const sequentialDepthBeforeFirstPost = (calls: readonly RecordedCall[]): number => {
  const firstPost = calls.filter((call) => call.service === 'management').reduce((min, call) => Math.min(min, call.start), Infinity);
  const before = calls.filter((call) => call.service === 'dynamodb' && call.end <= firstPost).sort((a, b) => a.start - b.start);
  let depth = 0;
  let latestEnd = -Infinity;
  for (const call of before) {
    if (call.start >= latestEnd) depth += 1;
    latestEnd = Math.max(latestEnd, call.end);
  }
  return depth;
};

export type { RecordedCall };
export { CallRecorder, sequentialDepthBeforeFirstPost };
