import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from '@jest/globals';
import { LambdaFunction } from '../../src/local/gateway/lambda-runtime.ts';

describe('LambdaFunction', () => {
  it('starts a fresh sandbox when the warm one died while idle, instead of invoking the dead one', async () => {
    // Prepare: one sandbox at most; its worker crashes after answering (its log lines are not needed).
    const fn = new LambdaFunction(
      { name: 'crashes', modulePath: join(import.meta.dirname, 'fixtures', 'crashes-when-idle.mjs'), environment: {} },
      { functionNamePrefix: 'test-websocket', region: 'us-east-1', accountId: '000000000000', timeoutMs: 5000, maxSandboxes: 1, onLog: () => undefined },
    );
    try {
      const first = await fn.invoke({});
      await sleep(300);
      // Act
      const second = await fn.invoke({});
      // Assess
      expect(first).toMatchObject({ ok: true, result: { statusCode: 200 } });
      expect(second).toMatchObject({ ok: true, result: { statusCode: 200 } });
    } finally {
      await fn.stop();
    }
  });
});
