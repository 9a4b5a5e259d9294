/**
 * The `npm start` entry as a user runs it: a child process that starts its own DynamoDB Local and a
 * fake Bedrock, passes the smoke script with the assistant's streamed answer, and on SIGTERM stops
 * everything, the Java process and the fake included.
 */

import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from '@jest/globals';
import { tokenFor } from '#testkit/tokens.ts';
import { isAlive, redact, runNode, startStack, stopQuietly, waitForExit } from './support/start-process.ts';

describe('npm start', () => {
  let start: ChildProcess | undefined;
  let javaPid: number | undefined;

  // Only if a test failed half-way: never leave the child or its Java process behind.
  afterAll(() => stopQuietly(start, javaPid));

  it('serves the stack on the port it prints, passes the smoke test, and leaves nothing running after SIGTERM', async () => {
    // Prepare
    const stack = await startStack(undefined, (child) => (start = child));
    javaPid = stack.javaPid;
    expect(stack.output()).toMatch(/wscat -c "ws:\/\/localhost:\d+\/dev\?token=eyJ[\w.-]+"/);
    const fakeEndpoint = /Assistant\s+fake Bedrock at (http:\/\/127\.0\.0\.1:\d+) through the real SDK \(RESPONDER=bedrock/.exec(stack.output())?.[1];
    expect(fakeEndpoint).toEqual(expect.any(String));
    expect(stack.output()).toContain('[fault:access-denied]');
    expect(isAlive(stack.javaPid)).toBe(true);

    // Act
    const smoke = await runNode(['scripts/smoke.ts', '--url', stack.url, '--token', await tokenFor('smoke-user')]);
    stack.child.kill('SIGTERM');
    const exit = await waitForExit(stack.child);

    // Assess
    expect({ code: smoke.code, output: redact(smoke.output) }).toEqual({ code: 0, output: expect.stringContaining('Smoke test passed') });
    expect(smoke.output).toMatch(/assistant replied \(streamed in \d+ chunks.*\): "Turn \d+ of this conversation/);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(stack.output()).toContain('Stopped.');
    expect(isAlive(stack.javaPid)).toBe(false);
    await expect(fetch(`${fakeEndpoint}/model/any/converse-stream`, { method: 'POST', body: '{}' })).rejects.toThrow();
  }, 120_000);
});
