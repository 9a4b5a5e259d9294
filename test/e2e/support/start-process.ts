/**
 * `npm start` (src/local/start.ts) as a child process, as a user runs it: waits for its banner, reads
 * the URL and DynamoDB Local's pid from it, and stops it with SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const STARTUP_MS = 60_000;
const BANNER_END = 'Ctrl-C stops everything';

interface StartedStack {
  child: ChildProcess;
  /** The banner's WebSocket URL, `ws://localhost:<port>/dev`. */
  url: string;
  /** DynamoDB Local's Java process, as the banner prints it. */
  javaPid: number;
  /** Everything the child printed so far (stdout and stderr). */
  output(): string;
}

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

/** Runs a Node script in `cwd` and resolves with its exit code and output. */
const runNode = (args: string[], cwd: string = ROOT): Promise<{ code: number | null; output: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env: childEnv({}), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });

/**
 * Spawns `node src/local/start.ts` in `root` on a free port and resolves once its banner is out;
 * rejects with the (redacted) output if it exits or prints no banner within a minute.
 * `onSpawn` gets the child at once, so a caller can stop it even when the banner never comes.
 */
const startStack = async (root: string = ROOT, onSpawn: (child: ChildProcess) => void = () => {}): Promise<StartedStack> => {
  const child = spawn(process.execPath, ['src/local/start.ts'], {
    cwd: root,
    env: childEnv({ PORT: '0', NO_COLOR: '1' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onSpawn(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`No banner within ${STARTUP_MS} ms:\n${redact(output)}`)), STARTUP_MS);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code}:\n${redact(output)}`));
    };
    const check = () => {
      if (!output.includes(BANNER_END)) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve();
    };
    child.stdout.on('data', check);
    child.once('exit', onExit);
  });
  const url = /WebSocket URL\s+(ws:\/\/localhost:\d+\/dev)/.exec(output)?.[1];
  const javaPid = Number(/DynamoDB Local\s+\S+ \(in memory, pid (\d+)\)/.exec(output)?.[1]);
  if (!url || !Number.isInteger(javaPid)) throw new Error(`The banner lacks the URL or the Java pid:\n${redact(output)}`);
  return { child, url, javaPid, output: () => output };
};

/** Stops a child that is still running (SIGTERM, then waits), and kills a Java process it left behind. */
const stopQuietly = async (child: ChildProcess | undefined, javaPid?: number): Promise<void> => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    await waitForExit(child);
  }
  if (javaPid !== undefined && Number.isInteger(javaPid) && isAlive(javaPid)) process.kill(javaPid, 'SIGKILL');
};

export type { StartedStack };
export { isAlive, redact, runNode, startStack, stopQuietly, waitForExit };
