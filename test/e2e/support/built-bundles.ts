import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FUNCTION_NAMES } from '../../../src/config/function-manifest.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const run = promisify(execFile);

const newestMtime = async (dir: string): Promise<number> => {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
};

const bundleMtime = async (name: string): Promise<number> => {
  try {
    return (await stat(join(ROOT, 'dist', name, 'index.mjs'))).mtimeMs;
  } catch {
    return -1;
  }
};

/**
 * Makes sure `dist/<name>/index.mjs` exist and are newer than every source file, running the
 * project's build (`npm run build`'s two steps) when they are missing or stale.
 */
const ensureBundlesBuilt = async (): Promise<void> => {
  const sources = await newestMtime(join(ROOT, 'src'));
  const bundles = await Promise.all(FUNCTION_NAMES.map(bundleMtime));
  if (bundles.every((mtime) => mtime >= sources)) return;
  await run(process.execPath, ['build/compile-schemas.ts'], { cwd: ROOT });
  await run(process.execPath, ['build/build.ts'], { cwd: ROOT });
};

export { ensureBundlesBuilt };
