/**
 * IAM proven by the calls the code makes: each function's grants in src/config/function-manifest.ts
 * (which Terraform's policies are checked against, test/terraform/iam.test.ts) equal the union of the
 * AWS calls the integration, end-to-end, hardening and load suites recorded it making.
 *
 * Why a second jest run (`jest.iam-observed.config.js`, after the main run in `npm test`): the
 * records are written by every test file of the main run, across two jest workers, gateway sandboxes
 * and `npm start` child processes, and jest gives no order between files of one run. A separate
 * invocation starts only when the main run has finished, needs no ordering tricks, and reports its
 * findings as an ordinary failing test (a globalTeardown check would also fail single-file runs).
 */

import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import type { CallPath, ObservedCall } from '#testkit/sdk-calls/call-recorder.ts';
import { recordFile } from '#testkit/sdk-calls/record-file.ts';
import { FUNCTIONS } from '../../src/config/function-manifest.ts';
import { grantFindings } from './support/grants.ts';

const SUITES = ['test/integration/', 'test/e2e/', 'test/hardening/', 'test/load/'];
const PATHS: CallPath[] = ['in-process', 'sandbox-src', 'sandbox-dist'];

const HOW_TO_RECORD = 'Run the main suite first (`npm test` does, then runs this file with jest.iam-observed.config.js).';

const readRecords = (): { header: unknown; calls: ObservedCall[] } => {
  const file = recordFile();
  if (!existsSync(file)) throw new Error(`No recorded AWS calls at ${file}. ${HOW_TO_RECORD}`);
  const [header, ...lines] = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0);
  return { header: header ? JSON.parse(header) : undefined, calls: lines.map((line) => JSON.parse(line) as ObservedCall) };
};

const { header, calls } = readRecords();

describe('the AWS calls recorded by the test suites', () => {
  it('come from a whole run: every suite, in-process and in gateway sandboxes from src/ and dist/', () => {
    // Assess: a hook that stopped recording, or a partial run, leaves one of these empty
    const missing = [
      ...SUITES.filter((suite) => !calls.some((call) => call.source?.startsWith(suite))).map((suite) => `no call recorded from ${suite}`),
      ...PATHS.filter((path) => !calls.some((call) => call.path === path)).map((path) => `no call recorded ${path}`),
    ];
    expect({ file: recordFile(), header, missing, hint: missing.length > 0 ? HOW_TO_RECORD : undefined }).toEqual({
      file: recordFile(),
      header,
      missing: [],
      hint: undefined,
    });
  });

  it('belong to functions of the manifest', () => {
    // Act
    const unknown = [...new Set(calls.map((call) => call.function))].filter((name) => !FUNCTIONS.some((spec) => spec.name === name));

    // Assess
    expect(unknown).toEqual([]);
  });
});

describe('each function is granted exactly what the suites saw it call', () => {
  it.each(FUNCTIONS.map((spec) => [spec.name, spec] as const))('%s', (_name, spec) => {
    // Act
    const findings = grantFindings(spec, calls);

    // Assess
    expect(findings).toEqual([]);
  });
});
