/**
 * `npm start` in a checkout where the frame validators were never built, or were built before a
 * schema was edited: start compiles them itself, so every route works and the edited rule applies.
 * The checkout is a temporary copy of src/, build/ and package.json (node_modules linked), so the
 * repository's own src/schemas/compiled/ is never touched.
 */

import type { ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tokenFor } from '#testkit/tokens.ts';
import { isChat, isError, TestClient } from '#testkit/ws-client.ts';
import { compileSchemas } from '../../build/compile-schemas.ts';
import { redact, runNode, startStack, stopQuietly } from './support/start-process.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const EDITED_LIMIT = 10;

/** A checkout of the parts `npm start` runs, without any generated validator. */
const copyCheckout = (): string => {
  const copy = mkdtempSync(join(tmpdir(), 'npm-start-fresh-'));
  const generated = join(ROOT, 'src', 'schemas', 'compiled');
  for (const part of ['src', 'build', 'scripts', 'package.json']) {
    cpSync(join(ROOT, part), join(copy, part), { recursive: true, filter: (source) => relative(generated, source).startsWith('..') });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
  return copy;
};

/** Edits the copy's schema source: messages longer than EDITED_LIMIT are now invalid. */
const lowerMessageLimit = (copy: string): void => {
  const file = join(copy, 'src', 'protocol', 'fields.ts');
  const source = readFileSync(file, 'utf8');
  const edited = source.replace(/const MAX_MESSAGE_LENGTH = \d+;/, `const MAX_MESSAGE_LENGTH = ${EDITED_LIMIT};`);
  if (edited === source) throw new Error('src/protocol/fields.ts no longer declares MAX_MESSAGE_LENGTH as this test expects');
  writeFileSync(file, edited);
};

describe('npm start on a checkout with missing or stale frame validators', () => {
  let copy: string;
  let start: ChildProcess | undefined;
  let javaPid: number | undefined;

  beforeAll(() => {
    copy = copyCheckout();
  });

  afterAll(async () => {
    await stopQuietly(start, javaPid);
    rmSync(copy, { recursive: true, force: true });
  });

  it('compiles them before serving: a missing validator is created and a stale one follows the edited schema', async () => {
    // Prepare: validators compiled from the schemas as they were, then one removed and a schema edited.
    const compiledDir = join(copy, 'src', 'schemas', 'compiled');
    compileSchemas(compiledDir);
    rmSync(join(compiledDir, 'history.js'));
    lowerMessageLimit(copy);

    // Act
    const stack = await startStack(copy, (child) => (start = child));
    javaPid = stack.javaPid;
    const smoke = await runNode(['scripts/smoke.ts', '--url', stack.url, '--token', await tokenFor('fresh-user')], copy);
    const client = await TestClient.connect(stack.url, { token: await tokenFor('fresh-user') });
    client.send({ action: 'chat_message', data: { message: 'x'.repeat(EDITED_LIMIT + 1), sessionId: 'edited-limit' } });
    const refused = await client.next(isError('VALIDATION_ERROR'), 'VALIDATION_ERROR for a message over the edited limit');
    client.send({ action: 'chat_message', data: { message: 'x'.repeat(EDITED_LIMIT), sessionId: 'edited-limit' } });
    const accepted = await client.next(isChat('user'), 'the message at the edited limit');
    await client.close();

    // Assess
    expect({ code: smoke.code, output: redact(smoke.output) }).toEqual({ code: 0, output: expect.stringContaining('Smoke test passed') });
    expect(refused.error.details).toEqual([{ field: 'data.message', problem: `must NOT have more than ${EDITED_LIMIT} characters` }]);
    expect(accepted.data.message).toBe('x'.repeat(EDITED_LIMIT));
    expect(existsSync(join(compiledDir, 'history.js'))).toBe(true);
    expect(stack.output()).toMatch(/Compiled frame schemas: .*chat-message\.js/);
    expect(stack.output()).not.toMatch(/Compiled frame schemas: .*ping\.js/);
  }, 120_000);
});
