/**
 * `npm run build`: one ESM bundle and one Lambda zip per function, then a size table.
 * Schemas are compiled first (`npm run schemas`, chained by the npm script).
 */
import { FUNCTION_NAMES } from '../src/config/function-manifest.ts';
import { bundleHandler } from './bundle.ts';

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

const results = [];
for (const name of FUNCTION_NAMES) results.push(await bundleHandler(name));

console.log('function      bundle (index.mjs)   zip');
for (const result of results) {
  console.log(`${result.name.padEnd(13)} ${kib(result.bundleBytes).padStart(18)}   ${kib(result.zipBytes).padStart(10)}`);
}
