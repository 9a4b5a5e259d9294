import type { ConnectionPolicy, RateLimitPolicy, RefusalPolicy } from '../domain/policies.ts';
import { type EnvironmentSource, numberEnv, optionalEnv, requiredEnv } from './env.ts';

/** Defaults of the configuration contract (README, "Configuration"). */
const DEFAULTS = {
  maxConnectionsPerUser: 5,
  rateLimitBurst: 10,
  rateLimitPerSecond: 1,
  connectRateBurst: 10,
  connectRatePerSecond: 1,
  refusalLimit: 20,
  refusalWindowSeconds: 60,
  /** API Gateway closes every WebSocket connection after 2 hours. */
  maxConnectionLifetimeSeconds: 7200,
  connectionIdleTimeoutSeconds: 600,
  messageRetentionDays: 30,
  environment: 'dev',
} as const;

const loadConnectionsTable = (source: EnvironmentSource = process.env): string => requiredEnv('CONNECTIONS_TABLE', source);
const loadMessagesTable = (source: EnvironmentSource = process.env): string => requiredEnv('MESSAGES_TABLE', source);

const loadConnectionPolicy = (source: EnvironmentSource = process.env): ConnectionPolicy => ({
  idleTimeoutSeconds: numberEnv(
    'CONNECTION_IDLE_TIMEOUT_SECONDS',
    DEFAULTS.connectionIdleTimeoutSeconds,
    {
      min: 1,
      max: 7200,
      integer: true,
    },
    source,
  ),
  maxConnectionsPerUser: numberEnv(
    'MAX_CONNECTIONS_PER_USER',
    DEFAULTS.maxConnectionsPerUser,
    {
      min: 1,
      max: 1000,
      integer: true,
    },
    source,
  ),
  connectRate: {
    burst: numberEnv('CONNECT_RATE_BURST', DEFAULTS.connectRateBurst, { min: 1, max: 10_000, integer: true }, source),
    perSecond: numberEnv('CONNECT_RATE_PER_SECOND', DEFAULTS.connectRatePerSecond, { min: 0.001, max: 10_000 }, source),
  },
});

const loadRateLimitPolicy = (source: EnvironmentSource = process.env): RateLimitPolicy => ({
  burst: numberEnv('RATE_LIMIT_BURST', DEFAULTS.rateLimitBurst, { min: 1, max: 10_000, integer: true }, source),
  perSecond: numberEnv('RATE_LIMIT_PER_SECOND', DEFAULTS.rateLimitPerSecond, { min: 0.001, max: 10_000 }, source),
});

const loadRefusalPolicy = (source: EnvironmentSource = process.env): RefusalPolicy => ({
  maxRefusals: numberEnv('REFUSAL_LIMIT', DEFAULTS.refusalLimit, { min: 1, max: 100_000, integer: true }, source),
  windowSeconds: numberEnv('REFUSAL_WINDOW_SECONDS', DEFAULTS.refusalWindowSeconds, { min: 1, max: 86_400, integer: true }, source),
});

const loadMessageRetentionDays = (source: EnvironmentSource = process.env): number =>
  numberEnv('MESSAGE_RETENTION_DAYS', DEFAULTS.messageRetentionDays, { min: 1, max: 3650, integer: true }, source);

/** Explicit management endpoint; when unset the sender derives it from the event. */
const loadManagementEndpoint = (source: EnvironmentSource = process.env): string | undefined => optionalEnv('WS_MANAGEMENT_ENDPOINT', source);

const loadEnvironmentName = (source: EnvironmentSource = process.env): string => optionalEnv('ENVIRONMENT', source) ?? DEFAULTS.environment;

export {
  DEFAULTS,
  loadConnectionPolicy,
  loadConnectionsTable,
  loadEnvironmentName,
  loadManagementEndpoint,
  loadMessageRetentionDays,
  loadMessagesTable,
  loadRateLimitPolicy,
  loadRefusalPolicy,
};
