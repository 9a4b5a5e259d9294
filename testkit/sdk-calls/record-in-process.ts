/**
 * Jest setup (every test file of the main run): installs the in-process call recorder, so handlers
 * run through the harnesses (`recordedAs`) are recorded, and tells local gateways started by this
 * file, in-process or as a child process, to record their sandboxes' calls under this file's name.
 */

import { relative } from 'node:path';
import { expect } from '@jest/globals';
import { installRecorder, SdkCallRecorder } from './call-recorder.ts';
import { ROOT } from './record-file.ts';

const file = process.env.SDK_CALL_LOG;
if (file) {
  const source = relative(ROOT, expect.getState().testPath ?? 'unknown');
  installRecorder(new SdkCallRecorder({ file, path: 'in-process', source }));
  process.env.SDK_CALL_SOURCE = source;
}
