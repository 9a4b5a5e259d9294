/**
 * Runs in a fresh Node process: imports one bundle (module init, as a Lambda cold start does), then
 * optionally invokes its handler once with the event in BENCH_EVENT. Prints one JSON line.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { benchLambdaContext as context } from './lambda-context.ts';

const bundle = process.argv[2];
if (!bundle) throw new Error('usage: measure-init.ts <bundle.mjs>');

const start = performance.now();
const module = (await import(pathToFileURL(bundle).href)) as { handler: (event: unknown, context: unknown) => Promise<unknown> };
const initMs = performance.now() - start;
let invokeMs: number | undefined;
if (process.env.BENCH_EVENT) {
  const invokeStart = performance.now();
  await module.handler(JSON.parse(process.env.BENCH_EVENT), context).catch(() => undefined);
  invokeMs = performance.now() - invokeStart;
}
process.stderr.write(`${JSON.stringify({ initMs, invokeMs })}\n`);
process.exit(0);
