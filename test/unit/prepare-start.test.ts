/**
 * What `npm start` does before starting anything: refuse without Java (naming it), compile the frame
 * validators the source handlers import (missing or stale ones only), or check the built bundles.
 * Each case works in its own temporary folders, never in src/schemas/compiled or dist.
 */

import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { FUNCTION_NAMES } from '../../src/config/function-manifest.ts';
import { prepareStart } from '../../src/local/prepare-start.ts';
import type { SystemFacts } from '../../src/local/requirements.ts';

const WITH_JAVA: SystemFacts = { node: '24.21.0', java: 'openjdk version "17.0.15" 2025-04-15' };
const WITHOUT_JAVA: SystemFacts = { node: '24.21.0' };
const VALIDATORS = ['cancel.d.ts', 'cancel.js', 'chat-message.d.ts', 'chat-message.js', 'history.d.ts', 'history.js', 'ping.d.ts', 'ping.js'];

const folders: string[] = [];
const tempFolder = (): string => {
  const folder = mkdtempSync(join(tmpdir(), 'prepare-start-'));
  folders.push(folder);
  return folder;
};

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('prepareStart with the source handlers', () => {
  it('compiles every validator into an empty folder, then leaves them alone while the schemas are unchanged', () => {
    const compiledDir = join(tempFolder(), 'compiled');

    const first = prepareStart({ handlers: 'source', externalDynamoDb: false, facts: WITH_JAVA, compiledDir });
    const second = prepareStart({ handlers: 'source', externalDynamoDb: false, facts: WITH_JAVA, compiledDir });

    expect(first).toEqual({
      ready: true,
      notes: [`Compiled frame schemas: ${['cancel.js', 'cancel.d.ts', 'chat-message.js', 'chat-message.d.ts', 'history.js', 'history.d.ts', 'ping.js', 'ping.d.ts'].join(', ')}`],
    });
    expect(readdirSync(compiledDir).sort()).toEqual(VALIDATORS);
    expect(second).toEqual({ ready: true, notes: [] });
  });

  it('rewrites a validator that no longer matches its schema, and only that one', () => {
    const compiledDir = join(tempFolder(), 'compiled');
    const referenceDir = join(tempFolder(), 'reference');
    prepareStart({ handlers: 'source', externalDynamoDb: false, facts: WITH_JAVA, compiledDir });
    prepareStart({ handlers: 'source', externalDynamoDb: false, facts: WITH_JAVA, compiledDir: referenceDir });
    writeFileSync(join(compiledDir, 'history.js'), '// compiled from an older history schema\nexport default () => true;\n');

    const preparation = prepareStart({ handlers: 'source', externalDynamoDb: false, facts: WITH_JAVA, compiledDir });

    expect(preparation).toEqual({ ready: true, notes: ['Compiled frame schemas: history.js'] });
    expect(readFileSync(join(compiledDir, 'history.js'), 'utf8')).toBe(readFileSync(join(referenceDir, 'history.js'), 'utf8'));
  });

  it('refuses to start without Java, naming it and its install command, and compiles nothing', () => {
    const compiledDir = join(tempFolder(), 'compiled');

    const preparation = prepareStart({ handlers: 'source', externalDynamoDb: false, facts: WITHOUT_JAVA, compiledDir });

    expect(preparation).toEqual({ ready: false, reason: expect.stringContaining('java was not found on PATH') });
    expect(preparation.ready ? '' : preparation.reason).toContain('sudo apt-get install -y default-jre-headless');
    expect(existsSync(compiledDir)).toBe(false);
  });

  it('needs no Java when DYNAMODB_ENDPOINT names a running DynamoDB', () => {
    const compiledDir = join(tempFolder(), 'compiled');

    expect(prepareStart({ handlers: 'source', externalDynamoDb: true, facts: WITHOUT_JAVA, compiledDir })).toEqual({ ready: true, notes: [expect.any(String)] });
  });
});

describe('prepareStart with the built bundles (--dist)', () => {
  const distWith = (names: readonly string[]): string => {
    const distDir = tempFolder();
    for (const name of names) {
      mkdirSync(join(distDir, name));
      writeFileSync(join(distDir, name, 'index.mjs'), 'export const handler = async () => ({ statusCode: 200 });\n');
    }
    return distDir;
  };

  it('refuses to start when a bundle is missing, naming it and npm run build', () => {
    const [absent, ...present] = FUNCTION_NAMES;
    const distDir = distWith(present);

    const preparation = prepareStart({ handlers: 'dist', externalDynamoDb: false, facts: WITH_JAVA, distDir });

    expect(preparation).toEqual({
      ready: false,
      reason: `--dist runs the built bundles, and 1 is missing (${join(distDir, absent as string, 'index.mjs')}): run \`npm run build\` first.`,
    });
  });

  it('starts when every function has its bundle, compiling nothing', () => {
    const compiledDir = join(tempFolder(), 'compiled');

    expect(prepareStart({ handlers: 'dist', externalDynamoDb: false, facts: WITH_JAVA, distDir: distWith(FUNCTION_NAMES), compiledDir })).toEqual({ ready: true, notes: [] });
    expect(existsSync(compiledDir)).toBe(false);
  });
});
