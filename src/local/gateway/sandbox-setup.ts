import { randomUUID } from 'node:crypto';

/**
 * The tests record the AWS calls each function makes (test/iam-observed): when SDK_CALL_OBSERVER
 * names a module, every sandbox imports it before the function's module (as NODE_OPTIONS=--import
 * does on Lambda) and gets the SDK_CALL_* variables. Unset, as outside the tests, nothing changes.
 */
const sandboxObserver = (): { execArgv?: string[]; env: Record<string, string> } => {
  const observer = process.env.SDK_CALL_OBSERVER;
  if (!observer) return { env: {} };
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (name.startsWith('SDK_CALL_') && value !== undefined) env[name] = value;
  return { execArgv: [...process.execArgv, '--import', observer], env };
};

const logStreamName = (): string => {
  const now = new Date();
  const day = `${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}/${String(now.getUTCDate()).padStart(2, '0')}`;
  return `${day}/[$LATEST]${randomUUID().replaceAll('-', '')}`;
};

export { logStreamName, sandboxObserver };
