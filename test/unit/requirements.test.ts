/**
 * The requirements check run first by `npm start` and `npm test`: which tool is missing or too old,
 * and what the user is told to install. Facts are given directly, or gathered from a fake PATH of
 * small shell scripts standing in for java and terraform.
 */

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromiumExecutable, describeProblems, inspectSystem, MINIMUM, missingRequirements, type SystemFacts } from '../../src/local/requirements.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const JAVA_17 = 'openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment (build 17.0.15+6)';
const TERRAFORM_1_11 = '{"terraform_version":"1.11.4","platform":"linux_amd64","provider_selections":{},"terraform_outdated":false}';
const EVERYTHING: SystemFacts = { node: '24.21.0', java: JAVA_17, chromium: '/usr/bin/chromium', terraform: TERRAFORM_1_11 };

const tools = (problems: Array<{ tool: string }>) => problems.map(({ tool }) => tool);

describe('missingRequirements', () => {
  it('finds nothing missing when every tool is there in a recent enough version', () => {
    expect(missingRequirements('test', EVERYTHING)).toEqual([]);
    expect(missingRequirements('start', EVERYTHING)).toEqual([]);
  });

  it('asks npm start for Java only: no Chromium or Terraform needed to run the stack', () => {
    expect(missingRequirements('start', { node: '24.21.0', java: JAVA_17 })).toEqual([]);
    expect(tools(missingRequirements('start', { node: '24.21.0' }))).toEqual(['java']);
  });

  it('spares npm start its Java when DYNAMODB_ENDPOINT names another DynamoDB, but not npm test', () => {
    expect(missingRequirements('start', { node: '24.21.0' }, { externalDynamoDb: true })).toEqual([]);
    expect(tools(missingRequirements('test', { ...EVERYTHING, java: undefined }, { externalDynamoDb: true }))).toEqual(['java']);
  });

  it('names every missing tool for npm test, each with its install command', () => {
    const problems = missingRequirements('test', { node: '24.21.0' });

    expect(problems).toEqual([
      { tool: 'java', problem: expect.stringContaining('java was not found on PATH'), fix: expect.stringContaining('apt-get install -y default-jre-headless') },
      { tool: 'chromium', problem: expect.stringContaining('Chromium was not found'), fix: expect.stringContaining('apt-get install -y chromium') },
      { tool: 'terraform', problem: expect.stringContaining('terraform was not found on PATH'), fix: expect.stringContaining("HashiCorp's packages") },
    ]);
  });

  it.each([
    ['java version "1.8.0_292"', 'Java 8 is older than 17'],
    ['openjdk version "11.0.2" 2019-01-15', 'Java 11 is older than 17'],
    ['Picked up JAVA_TOOL_OPTIONS\nno version here', 'java -version printed no version'],
  ])('refuses a Java that DynamoDB Local cannot run on: %j', (java, problem) => {
    expect(missingRequirements('start', { node: '24.21.0', java })).toEqual([expect.objectContaining({ tool: 'java', problem: expect.stringContaining(problem) })]);
  });

  it('accepts Java 17 and later', () => {
    expect(missingRequirements('start', { node: '24.21.0', java: 'openjdk version "21" 2023-09-19' })).toEqual([]);
  });

  it.each([
    ['{"terraform_version":"1.10.5"}', ['terraform']],
    ['Terraform v1.9.0\non linux_amd64', ['terraform']],
    ['{"terraform_version":"1.11.0"}', []],
    ['Terraform v1.12.2\non linux_amd64', []],
    ['{"terraform_version":"2.0.0"}', []],
  ])('requires Terraform 1.11 or later: %j', (terraform, missing) => {
    expect(tools(missingRequirements('test', { ...EVERYTHING, terraform }))).toEqual(missing);
  });

  it('says that CHROMIUM_PATH is wrong rather than that Chromium is missing', () => {
    const problems = missingRequirements('test', { ...EVERYTHING, chromium: undefined, chromiumOverride: '/opt/nowhere/chrome' });

    expect(problems).toEqual([expect.objectContaining({ tool: 'chromium', problem: 'CHROMIUM_PATH=/opt/nowhere/chrome is not an executable file' })]);
  });

  it('refuses a Node older than the engines field', () => {
    const engines = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;

    expect(engines).toBe(`>=${MINIMUM.node}`);
    expect(tools(missingRequirements('start', { ...EVERYTHING, node: '20.20.2' }))).toEqual(['node']);
    expect(tools(missingRequirements('start', { ...EVERYTHING, node: `${MINIMUM.node}.0.0` }))).toEqual([]);
  });

  it('describes the problems as one line per tool and the fix under it', () => {
    const text = describeProblems('start', missingRequirements('start', { node: '24.21.0' }));

    expect(text.split('\n')).toEqual([
      'npm start cannot run: a requirement is missing.',
      '  - java: java was not found on PATH (DynamoDB Local runs on Java)',
      expect.stringMatching(/^ {4}fix: install a Java 17\+ runtime \(Debian\/Ubuntu: sudo apt-get install -y default-jre-headless\)$/),
    ]);
  });
});

describe('chromiumExecutable', () => {
  const only =
    (...paths: string[]) =>
    (path: string) =>
      paths.includes(path);

  it('prefers CHROMIUM_PATH, then /usr/bin/chromium, then chromium on PATH', () => {
    const env = { PATH: '/opt/a:/opt/b', CHROMIUM_PATH: '/opt/chrome/chrome' };
    const everywhere = only('/opt/chrome/chrome', '/usr/bin/chromium', '/opt/b/chromium');

    expect(chromiumExecutable(env, everywhere)).toBe('/opt/chrome/chrome');
    expect(chromiumExecutable({ PATH: env.PATH }, everywhere)).toBe('/usr/bin/chromium');
    expect(chromiumExecutable({ PATH: env.PATH }, only('/opt/b/chromium'))).toBe('/opt/b/chromium');
    expect(chromiumExecutable({ PATH: env.PATH }, only())).toBeUndefined();
  });

  it('does not fall back when CHROMIUM_PATH names no executable', () => {
    expect(chromiumExecutable({ PATH: '/opt/b', CHROMIUM_PATH: '/opt/missing' }, only('/usr/bin/chromium', '/opt/b/chromium'))).toBeUndefined();
  });
});

describe('inspectSystem on a fake PATH', () => {
  let fakeBin: string;

  const script = (name: string, body: string) => {
    writeFileSync(join(fakeBin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(fakeBin, name), 0o755);
  };

  beforeAll(() => {
    fakeBin = mkdtempSync(join(tmpdir(), 'requirements-'));
    script('java', 'echo \'openjdk version "11.0.2" 2019-01-15\' >&2');
    script('terraform', 'echo \'{"terraform_version":"1.11.4"}\'');
    script('chromium', 'exit 0');
  });

  afterAll(() => rmSync(fakeBin, { recursive: true, force: true }));

  it('runs the tools it finds on PATH and reports an old Java', () => {
    const facts = inspectSystem('test', { PATH: fakeBin, CHROMIUM_PATH: join(fakeBin, 'chromium') }, '24.21.0');

    expect(facts).toEqual({
      node: '24.21.0',
      java: expect.stringContaining('"11.0.2"'),
      terraform: expect.stringContaining('"1.11.4"'),
      chromium: join(fakeBin, 'chromium'),
      chromiumOverride: join(fakeBin, 'chromium'),
    });
    expect(tools(missingRequirements('test', facts))).toEqual(['java']);
  });

  it('does not run terraform for npm start', () => {
    expect(inspectSystem('start', { PATH: fakeBin }, '24.21.0')).toEqual({ node: '24.21.0', java: expect.stringContaining('"11.0.2"') });
  });

  it('makes scripts/check-requirements.ts exit 1 naming what is missing and how to install it', () => {
    const result = spawnSync(process.execPath, ['scripts/check-requirements.ts', 'test'], {
      cwd: ROOT,
      env: { PATH: join(fakeBin, 'nothing-here'), CHROMIUM_PATH: join(fakeBin, 'no-chromium') },
      encoding: 'utf8',
    });

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('npm test cannot run: requirements are missing.');
    expect(result.stderr).toContain('  - java: java was not found on PATH');
    expect(result.stderr).toContain(`  - chromium: CHROMIUM_PATH=${join(fakeBin, 'no-chromium')} is not an executable file`);
    expect(result.stderr).toContain("  - terraform: terraform was not found on PATH (npm test runs Terraform's own checks)");
  });
});
