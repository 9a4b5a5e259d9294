/**
 * Reads configuration from the environment at cold start. A missing or malformed variable throws
 * here, so a misconfigured function fails at init rather than on the tenth message.
 */
class ConfigurationError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

/** Where configuration is read from: the function's environment, or a test's own settings of the same names. */
type EnvironmentSource = Readonly<Record<string, string | undefined>>;

const readEnv = (name: string, source: EnvironmentSource): string | undefined => {
  const value = source[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
};

/**
 * @example const table = requiredEnv('CONNECTIONS_TABLE');
 */
const requiredEnv = (name: string, source: EnvironmentSource = process.env): string => {
  const value = readEnv(name, source);
  if (value === undefined) {
    throw new ConfigurationError(`Environment variable ${name} is required but not set`);
  }
  return value;
};

const optionalEnv = (name: string, source: EnvironmentSource = process.env): string | undefined => readEnv(name, source);

/**
 * @example const burst = numberEnv('RATE_LIMIT_BURST', 10, { min: 1 });
 * @default the given fallback when the variable is unset
 */
const numberEnv = (name: string, fallback: number, bounds: { min?: number; max?: number; integer?: boolean } = {}, source: EnvironmentSource = process.env): number => {
  const raw = readEnv(name, source);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  const { min = -Infinity, max = Infinity, integer = false } = bounds;
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    const kind = integer ? 'an integer' : 'a number';
    throw new ConfigurationError(`Environment variable ${name} must be ${kind} in [${min}, ${max}], got "${raw}"`);
  }
  return value;
};

/** Comma-separated list; empty entries dropped. */
const listEnv = (name: string, source: EnvironmentSource = process.env): string[] =>
  (readEnv(name, source) ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);

export type { EnvironmentSource };
export { ConfigurationError, listEnv, numberEnv, optionalEnv, requiredEnv };
