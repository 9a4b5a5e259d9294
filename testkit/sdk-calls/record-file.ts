/**
 * Where the AWS calls observed during a test run are written: one NDJSON file per checkout, truncated
 * by the main run's global setup and read by the observed-calls test's own jest run afterwards.
 * SDK_CALL_LOG overrides it (the main run sets it, so every jest worker, gateway child process and
 * sandbox appends to the same file). Node runs this file directly in sandboxes (erasable TS only).
 */
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = join(import.meta.dirname, '..', '..');

/** The module each local-gateway sandbox imports before its function (see src/local/gateway/lambda-runtime.ts). */
const SANDBOX_PRELOAD = pathToFileURL(join(import.meta.dirname, 'sandbox-preload.ts')).href;

const recordFile = (): string => process.env.SDK_CALL_LOG || join(tmpdir(), `chatbot-sdk-calls-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}.ndjson`);

export { ROOT, recordFile, SANDBOX_PRELOAD };
