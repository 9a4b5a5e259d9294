import { mkdir, rm, stat } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build, type Plugin } from 'esbuild';
import { writeDeterministicZip } from './zip.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');

const BUILTINS = new Set(builtinModules);

/**
 * Loads Node built-ins with require() instead of ESM `import`. An ESM import of a built-in builds a
 * facade that reads every export, which runs lazy getters: importing `node:http` that way loads undici
 * (about 50 ms of a cold start) though nothing here uses it.
 */
const builtinsThroughRequire: Plugin = {
  name: 'builtins-through-require',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[a-z_:/]+$/ }, (args) => {
      const bare = args.path.replace(/^node:/, '');
      if (!BUILTINS.has(bare) || args.namespace === 'builtin-require') return undefined;
      if (args.kind !== 'import-statement' && args.kind !== 'dynamic-import') return undefined;
      return { path: bare, namespace: 'builtin-require' };
    });
    pluginBuild.onLoad({ filter: /.*/, namespace: 'builtin-require' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(`node:${args.path}`)});`,
      loader: 'js',
    }));
  },
};

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
  // Only `gte` is used by the bundled dependencies; see build/shims/semver.cjs.
  alias: { semver: join(ROOT, 'build', 'shims', 'semver.cjs') },
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
  plugins: [builtinsThroughRequire],
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
export { bundleHandler, DIST, LAMBDA_BUILD_OPTIONS, ROOT };
