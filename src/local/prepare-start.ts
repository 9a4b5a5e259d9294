/**
 * What `npm start` makes sure of before it starts anything: the tools it needs (Java for DynamoDB
 * Local), and the handlers it will run, so a newcomer never meets a missing module at the first frame.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { COMPILED_SCHEMAS_DIR, compileSchemas } from '../../build/compile-schemas.ts';
import { FUNCTION_NAMES } from '../config/function-manifest.ts';
import { describeProblems, inspectSystem, missingRequirements, type SystemFacts } from './requirements.ts';

const DIST_DIR = join(import.meta.dirname, '..', '..', 'dist');

interface PrepareOptions {
  /** `source` runs src/handlers (their validators are compiled here); `dist` runs the build's bundles. */
  handlers: 'source' | 'dist';
  /** DYNAMODB_ENDPOINT is set: no DynamoDB Local, so no Java needed. */
  externalDynamoDb: boolean;
  /** @default what inspectSystem('start') finds */
  facts?: SystemFacts;
  /** @default src/schemas/compiled */
  compiledDir?: string;
  /** @default dist */
  distDir?: string;
}

/** Either the lines to print before the banner, or why start must stop (printed as is, exit 1). */
type Preparation = { ready: true; notes: string[] } | { ready: false; reason: string };

/**
 * Checks the requirements, then compiles the frame validators (source handlers: a fresh clone has
 * none, an edited schema has stale ones) or checks that the bundles exist (dist handlers).
 * @example const preparation = prepareStart({ handlers: 'source', externalDynamoDb: false });
 */
const prepareStart = (options: PrepareOptions): Preparation => {
  const problems = missingRequirements('start', options.facts ?? inspectSystem('start'), { externalDynamoDb: options.externalDynamoDb });
  if (problems.length > 0) return { ready: false, reason: describeProblems('start', problems) };
  if (options.handlers === 'source') {
    const { written } = compileSchemas(options.compiledDir ?? COMPILED_SCHEMAS_DIR);
    return { ready: true, notes: written.length > 0 ? [`Compiled frame schemas: ${written.join(', ')}`] : [] };
  }
  const distDir = options.distDir ?? DIST_DIR;
  const missing = FUNCTION_NAMES.map((name) => join(distDir, name, 'index.mjs')).filter((bundle) => !existsSync(bundle));
  if (missing.length === 0) return { ready: true, notes: [] };
  return {
    ready: false,
    reason: `--dist runs the built bundles, and ${missing.length} ${missing.length === 1 ? 'is' : 'are'} missing (${missing.join(', ')}): run \`npm run build\` first.`,
  };
};

export type { Preparation, PrepareOptions };
export { prepareStart };
