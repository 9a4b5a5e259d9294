/**
 * The client library is bundled for the browser: it may reach the server's code only through
 * src/protocol/, and src/protocol/ may reach nothing but itself and npm packages (no Node built-ins).
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';

const SRC = join(import.meta.dirname, '..', '..', 'src');

/** Every module specifier a folder's TypeScript files import or re-export, with the importing file. */
const importsOf = (folder: string): Array<{ file: string; specifier: string }> =>
  readdirSync(join(SRC, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .flatMap((name) => {
      const file = join(SRC, folder, name);
      const source = readFileSync(file, 'utf8');
      return [...source.matchAll(/(?:import|export)\s[^'";]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)].map((match) => ({
        file: relative(SRC, file),
        specifier: match[1] ?? match[2] ?? '',
      }));
    });

/** The src/ folder a relative specifier lands in, or undefined for a package. */
const folderOf = (file: string, specifier: string): string | undefined =>
  specifier.startsWith('.') ? relative(SRC, resolve(SRC, file, '..', specifier)).split(/[\\/]/)[0] : undefined;

describe('what the browser client may import', () => {
  it('src/client reaches other src folders only through src/protocol', () => {
    const outside = importsOf('client').filter(({ file, specifier }) => {
      const folder = folderOf(file, specifier);
      return folder !== undefined && folder !== 'client' && folder !== 'protocol';
    });

    expect(importsOf('client').length).toBeGreaterThan(0);
    expect(outside).toEqual([]);
  });

  it('src/protocol imports only itself and npm packages, never a Node built-in', () => {
    const outside = importsOf('protocol').filter(({ file, specifier }) => {
      const folder = folderOf(file, specifier);
      return folder === undefined ? specifier.startsWith('node:') : folder !== 'protocol';
    });
    const nodeGlobals = readdirSync(join(SRC, 'protocol'))
      .filter((name) => /\b(?:process|Buffer|require)\b/.test(readFileSync(join(SRC, 'protocol', name), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')))
      .map((name) => `protocol/${name}`);

    expect(importsOf('protocol').length).toBeGreaterThan(0);
    expect(outside).toEqual([]);
    expect(nodeGlobals).toEqual([]);
  });
});
