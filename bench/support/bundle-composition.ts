/** `node bench/support/bundle-composition.ts <name>`: KiB per package in a handler's bundle (what a cold start loads). */
import { join } from 'node:path';
import { build } from 'esbuild';
import { LAMBDA_BUILD_OPTIONS, ROOT } from '../../build/bundle.ts';

const composition = async (name: string): Promise<Map<string, number>> => {
  const result = await build({
    ...LAMBDA_BUILD_OPTIONS,
    entryPoints: [join(ROOT, 'src', 'handlers', `${name}.ts`)],
    outfile: join(ROOT, 'bench', '.floor', `composition-${name}.mjs`),
    metafile: true,
    write: false,
  });
  const output = Object.values(result.metafile.outputs).find((candidate) => candidate.entryPoint);
  const byPackage = new Map<string, number>();
  for (const [path, info] of Object.entries(output?.inputs ?? {})) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    const key = match?.[1] ?? 'src';
    byPackage.set(key, (byPackage.get(key) ?? 0) + info.bytesInOutput);
  }
  return byPackage;
};

const name = process.argv[2] ?? 'message';
const rows = [...(await composition(name))].sort((a, b) => b[1] - a[1]);
for (const [pkg, bytes] of rows) console.log(`${pkg.padEnd(48)} ${(bytes / 1024).toFixed(1).padStart(7)} KiB`);
