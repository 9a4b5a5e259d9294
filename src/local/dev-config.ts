/**
 * Local development defaults. The dev secret signs and verifies tokens on a laptop only: it is
 * public (it is in the repository), so nothing deployed may ever trust it.
 */
const DEV_JWT_SECRET = 'local-development-only-secret-0123456789abcdef';

const LOCAL_DEFAULTS = {
  port: 3001,
  host: '127.0.0.1',
  stage: 'dev',
  environment: 'dev',
  region: 'us-east-1',
  /** DynamoDB Local keys its data by access key and Region: keep them fixed so data persists. */
  accessKeyId: 'local',
  secretAccessKey: 'local',
  accountId: '000000000000',
  tokenTtlSeconds: 3600,
  /** API Gateway's limits (WebSocket quotas). */
  frameLimitBytes: 32 * 1024,
  messageLimitBytes: 128 * 1024,
  idleTimeoutMs: 10 * 60 * 1000,
  maxConnectionDurationMs: 2 * 60 * 60 * 1000,
  /** API Gateway's integration timeout for a route (not adjustable on WebSocket APIs). */
  integrationTimeoutMs: 29_000,
} as const;

export { DEV_JWT_SECRET, LOCAL_DEFAULTS };
