/**
 * `npm start` killed without running its signal handlers (SIGKILL, as the out-of-memory killer does):
 * DynamoDB Local's Java process goes with it, and a restart on the same data dir does not count the
 * dead run's connections against the user (no 429).
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from '@jest/globals';
import { tokenFor, uniqueUser } from '#testkit/tokens.ts';
import { TestClient } from '#testkit/ws-client.ts';
import { LOCAL_DEFAULTS } from '../../src/local/dev-config.ts';
import { isAlive, waitForExit } from './support/start-process.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const STARTUP_MS = 120_000;
/** A guard, not a speed check: the watchdog notices at once, Java may take a few seconds to stop. */
const JAVA_EXIT_WAIT_MS = 30_000;

interface Started {
  child: ChildProcess;
  url: string;
  javaPid: number;
  dynamoDbEndpoint: string;
  banner: string;
}

const gone = async (pid: number): Promise<boolean> => {
  const deadline = Date.now() + JAVA_EXIT_WAIT_MS;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  return !isAlive(pid);
};

const startedProcesses: ChildProcess[] = [];
const javaPids: number[] = [];

/** `npm start -- --data-dir <dir>` on a free port, with a cap of one connection per user. */
const start = (dataDir: string): Promise<Started> => {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', NO_COLOR: '1', MAX_CONNECTIONS_PER_USER: '1' };
  delete env.AWS_ENDPOINT_URL_DYNAMODB;
  delete env.DYNAMODB_ENDPOINT;
  const child = spawn(process.execPath, ['src/local/start.ts', '--data-dir', dataDir], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  startedProcesses.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    const redacted = () => output.replace(/eyJ[\w.-]+/g, '<token>');
    const timer = setTimeout(() => reject(new Error(`No banner within ${STARTUP_MS} ms:\n${redacted()}`)), STARTUP_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code}:\n${redacted()}`));
    });
    child.stdout?.on('data', () => {
      if (!output.includes('Ctrl-C stops everything')) return;
      clearTimeout(timer);
      const dynamoDb = /DynamoDB Local\s+(\S+) \(([^)]*)\)/.exec(output);
      const javaPid = Number(/pid (\d+)/.exec(dynamoDb?.[2] ?? '')?.[1]);
      javaPids.push(javaPid);
      resolve({
        child,
        url: /WebSocket URL\s+(ws:\/\/localhost:\d+\/\w+)/.exec(output)?.[1] as string,
        javaPid,
        dynamoDbEndpoint: dynamoDb?.[1] as string,
        banner: redacted(),
      });
    });
  });
};

const connectionRows = async (endpoint: string): Promise<number> => {
  // DynamoDB Local keeps tables per region and access key: the same ones the child uses.
  const client = new DynamoDBClient({
    endpoint,
    region: process.env.AWS_REGION ?? LOCAL_DEFAULTS.region,
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? LOCAL_DEFAULTS.accessKeyId,
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? LOCAL_DEFAULTS.secretAccessKey,
    },
  });
  try {
    // Connection rows only: the user's cap slot and rate buckets live in the same table without a userId.
    const result = await client.send(new ScanCommand({ TableName: 'dev-chatbot-connections', Select: 'COUNT', FilterExpression: 'attribute_exists(userId)' }));
    return result.Count ?? 0;
  } finally {
    client.destroy();
  }
};

describe('npm start killed with SIGKILL', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chatbot-data-'));

  afterAll(async () => {
    // Whatever failed: nothing of this file keeps running.
    for (const child of startedProcesses) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await waitForExit(child);
      }
    }
    for (const pid of javaPids) if (pid > 0 && isAlive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("takes DynamoDB Local down with it, and a restart on the same data dir clears the dead run's connection rows", async () => {
    // Prepare: a user holds the one connection the cap allows
    const user = uniqueUser('crash');
    const first = await start(dataDir);
    expect(isAlive(first.javaPid)).toBe(true);
    const client = await TestClient.connect(first.url, { token: await tokenFor(user) });
    expect(await connectionRows(first.dynamoDbEndpoint)).toBe(1);

    // Act: no signal handler runs
    first.child.kill('SIGKILL');
    await waitForExit(first.child);
    await client.closed;

    // Assess: the Java process is gone, and the restarted stack lets the user in again
    expect(await gone(first.javaPid)).toBe(true);
    const second = await start(dataDir);
    // With the dead run's row still counted, this is refused with 429 (the cap is 1).
    const again = await TestClient.connect(second.url, { token: await tokenFor(user) });
    expect(await connectionRows(second.dynamoDbEndpoint)).toBe(1);
    // The dead run's row, the cap slot it held and the user's connect bucket.
    expect(second.banner).toContain('3 stale items cleared from the connections table');
    await again.close();
    second.child.kill('SIGTERM');
    await waitForExit(second.child);
    expect(await gone(second.javaPid)).toBe(true);
  }, 400_000);
});
