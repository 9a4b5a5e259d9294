/**
 * Runs DynamoDB Local's Java process and ends it when the process that started it goes, however that
 * one dies: SIGKILL and the out-of-memory killer run no signal handler, but the kernel closes the dead
 * parent's end of this process's stdin, and the parent pid changes.
 *
 * Usage (src/local/dynamodb-local.ts): `node dynamodb-watchdog.ts <command> [args...]`, stdin a pipe
 * from the parent. Writes the command's pid as the first line of stdout, stops it on SIGTERM/SIGINT,
 * and exits with its exit code (127 when it cannot be started).
 */
import { spawn } from 'node:child_process';

/** Java gets this long to stop cleanly before SIGKILL. */
const STOP_GRACE_MS = 5_000;
const PARENT_CHECK_MS = 1_000;

const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write('usage: dynamodb-watchdog.ts <command> [args...]\n');
  process.exit(2);
}

const child = spawn(command, args, { stdio: 'ignore' });
const parentPid = process.ppid;

let stopping = false;
const stopChild = () => {
  if (stopping) return;
  stopping = true;
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) process.exit(0);
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS).unref();
};

child.once('spawn', () => process.stdout.write(`${child.pid}\n`));
child.once('error', (error) => {
  process.stderr.write(`${command}: ${error.message}\n`);
  process.exit(127);
});
child.once('exit', (code, signal) => process.exit(code ?? (signal === 'SIGTERM' ? 0 : 1)));

process.stdin.on('end', stopChild);
process.stdin.on('close', stopChild);
process.stdin.resume();
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, stopChild);
// A parent that passed its end of the pipe on to another process is still noticed when it dies.
setInterval(() => {
  if (process.ppid !== parentPid) stopChild();
}, PARENT_CHECK_MS).unref();
