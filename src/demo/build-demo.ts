/**
 * Bundles the demo page for the browser with esbuild: `src/demo/main.ts` (and the client library it
 * imports) into one ES module. In memory for the local gateway, or into a folder:
 * `node src/demo/build-demo.ts [outdir]` writes `index.html` and `app.js` (default `dist/demo/`).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const DEMO_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = join(DEMO_DIR, '..', '..');

interface DemoAssets {
  /** The page; its `chat-websocket-url` meta is empty (the page then uses `ws(s)://<its host>/dev`). */
  html: string;
  /** The bundled ES module the page loads from `/demo/app.js`. */
  script: string;
}

interface BuildDemoOptions {
  /** Also write `index.html` and `app.js` here. */
  outdir?: string;
  /** @default false */
  minify?: boolean;
}

/**
 * Builds the demo page.
 * @example
 * const { html, script } = await buildDemo();
 * await buildDemo({ outdir: 'dist/demo', minify: true });
 */
const buildDemo = async (options: BuildDemoOptions = {}): Promise<DemoAssets> => {
  const [html, result] = await Promise.all([
    readFile(join(DEMO_DIR, 'index.html'), 'utf8'),
    build({
      entryPoints: [join(DEMO_DIR, 'main.ts')],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: ['es2022'],
      minify: options.minify ?? false,
      legalComments: 'none',
      logLevel: 'silent',
      absWorkingDir: ROOT,
    }),
  ]);
  const script = result.outputFiles[0]?.text;
  if (script === undefined) throw new Error('esbuild produced no output for the demo');
  if (options.outdir) {
    await mkdir(options.outdir, { recursive: true });
    await Promise.all([writeFile(join(options.outdir, 'index.html'), html), writeFile(join(options.outdir, 'app.js'), script)]);
  }
  return { html, script };
};

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outdir = resolve(process.argv[2] ?? join(ROOT, 'dist', 'demo'));
  await buildDemo({ outdir, minify: true });
  process.stdout.write(`Demo written to ${outdir}\n`);
}

export type { BuildDemoOptions, DemoAssets };
export { buildDemo };
