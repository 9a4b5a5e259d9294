/**
 * The `npm start` entry as a user runs it: a child process that starts its own DynamoDB Local, passes
 * the smoke script, and on SIGTERM stops everything, the Java process included.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { tokenFor } from '../support/tokens.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const STARTUP_MS = 60_000;

/** The environment of a fresh shell: no DynamoDB endpoint from the test run. */
const childEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.AWS_ENDPOINT_URL_DYNAMODB;
  return env;
};

/** Output without the banner's token, for failure messages. */
const redact = (output: string): string => output.replace(/eyJ[\w.-]+/g, '<token>');

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const waitForExit = (child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });

const run = (args: string[]): Promise<{ code: number | null; output: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: childEnv({}), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });

describe('npm start', () => {
  let start: ChildProcess | undefined;
  let javaPid: number | undefined;

  afterAll(async () => {
    // Only if a test failed half-way: never leave the child or its Java process behind.
    if (start && start.exitCode === null && start.signalCode === null) {
      start.kill('SIGTERM');
      await waitForExit(start);
    }
    if (javaPid !== undefined && isAlive(javaPid)) process.kill(javaPid, 'SIGKILL');
  });

  it('serves the stack on the port it prints, passes the smoke test, and leaves nothing running after SIGTERM', async () => {
    // Prepare
    start = spawn(process.execPath, ['src/local/start.ts'], {
      cwd: ROOT,
      env: childEnv({ PORT: '0', NO_COLOR: '1' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    start.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    start.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const child = start;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`No banner within ${STARTUP_MS} ms:\n${redact(output)}`)), STARTUP_MS);
      const check = () => {
        if (output.includes('Ctrl-C stops everything')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', check);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`npm start exited with ${code}:\n${redact(output)}`));
      });
    });
    const url = /WebSocket URL\s+(ws:\/\/localhost:\d+\/dev)/.exec(output)?.[1];
    javaPid = Number(/DynamoDB Local\s+\S+ \(in memory, pid (\d+)\)/.exec(output)?.[1]);
    expect(url).toBeDefined();
    expect(output).toMatch(/wscat -c "ws:\/\/localhost:\d+\/dev\?token=eyJ[\w.-]+"/);
    expect(isAlive(javaPid)).toBe(true);

    // Act
    const smoke = await run(['scripts/smoke.ts', '--url', url as string, '--token', await tokenFor('smoke-user')]);
    child.kill('SIGTERM');
    const exit = await waitForExit(child);

    // Assess
    expect({ code: smoke.code, output: redact(smoke.output) }).toEqual({ code: 0, output: expect.stringContaining('Smoke test passed') });
    expect(exit).toEqual({ code: 0, signal: null });
    expect(output).toContain('Stopped.');
    expect(isAlive(javaPid)).toBe(false);
  }, 120_000);
});
