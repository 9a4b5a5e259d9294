import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { recordFile, SANDBOX_PRELOAD } from './record-file.ts';

/**
 * Called by the main run's global setup: starts an empty record file with a header line, and sets
 * the variables every jest worker, `npm start` child and gateway sandbox inherits.
 */
const startRecordingSdkCalls = (): void => {
  const file = recordFile();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ run: new Date().toISOString(), pid: process.pid })}\n`);
  process.env.SDK_CALL_LOG = file;
  process.env.SDK_CALL_OBSERVER = SANDBOX_PRELOAD;
};

export { startRecordingSdkCalls };
