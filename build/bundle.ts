import { mkdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { writeDeterministicZip } from './zip.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');

/**
 * The esbuild settings every Lambda bundle uses (the benchmark's "floor" bundles use them too).
 * CommonJS dependencies (the X-Ray SDK) still call require(), hence the createRequire banner.
 */
const LAMBDA_BUILD_OPTIONS: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  mainFields: ['module', 'main'],
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
};

interface BundleResult {
  name: string;
  bundleBytes: number;
  zipBytes: number;
  zipPath: string;
}

/** Bundles `src/handlers/<name>.ts` into `dist/<name>/index.mjs` (+ map) and `dist/<name>.zip`. */
const bundleHandler = async (name: string): Promise<BundleResult> => {
  const outDir = join(DIST, name);
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const outfile = join(outDir, 'index.mjs');
  await build({ ...LAMBDA_BUILD_OPTIONS, entryPoints: [join(ROOT, 'src', 'handlers', `${name}.ts`)], outfile });
  const zipPath = join(DIST, `${name}.zip`);
  await writeDeterministicZip(zipPath, { 'index.mjs': outfile, 'index.mjs.map': `${outfile}.map` });
  return { name, bundleBytes: (await stat(outfile)).size, zipBytes: (await stat(zipPath)).size, zipPath };
};

export type { BundleResult };
export { bundleHandler, LAMBDA_BUILD_OPTIONS, DIST, ROOT };
