/** Reconnect delays: exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"). */
interface BackoffOptions {
  /** The ceiling of the first retry's delay. @default 1000 */
  baseDelayMs: number;
  /** No delay is ever above this. @default 30000 */
  maxDelayMs: number;
}

/** The largest delay of retry number `attempt` (0 for the first retry): `min(cap, base * 2^attempt)`. */
const backoffCeiling = (attempt: number, options: BackoffOptions): number => Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt));

/**
 * Full jitter: a uniformly random delay in `[0, ceiling)`, so clients dropped together do not come
 * back together.
 * @example
 * const delayMs = fullJitterDelay(3, { baseDelayMs: 1000, maxDelayMs: 30000 }); // 0 <= delayMs < 8000
 */
const fullJitterDelay = (attempt: number, options: BackoffOptions, random: () => number = Math.random): number => {
  const ceiling = backoffCeiling(attempt, options);
  return Math.min(ceiling, Math.floor(random() * ceiling));
};

export type { BackoffOptions };
export { backoffCeiling, fullJitterDelay };
