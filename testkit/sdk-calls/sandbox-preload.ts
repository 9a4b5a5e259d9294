/**
 * Imported by each local-gateway sandbox before its function's module when the tests record AWS
 * calls (SDK_CALL_OBSERVER, see src/local/gateway/lambda-runtime.ts). A sandbox runs one function,
 * named by the Lambda runtime's AWS_LAMBDA_FUNCTION_NAME (`{env}-websocket-<name>`).
 */
import { workerData } from 'node:worker_threads';
import { installRecorder, SdkCallRecorder } from './call-recorder.ts';

const file = process.env.SDK_CALL_LOG;
const lambdaName = process.env.AWS_LAMBDA_FUNCTION_NAME;
if (file && lambdaName) {
  const modulePath = String((workerData as { modulePath?: unknown } | undefined)?.modulePath ?? '');
  installRecorder(
    new SdkCallRecorder({
      file,
      functionName: lambdaName.slice(lambdaName.lastIndexOf('-') + 1),
      path: /[\\/]dist[\\/]/.test(modulePath) ? 'sandbox-dist' : 'sandbox-src',
      ...(process.env.SDK_CALL_SOURCE ? { source: process.env.SDK_CALL_SOURCE } : {}),
    }),
  );
}
