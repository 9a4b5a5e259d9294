/** Time source, injectable so tests can pin "now" (rate limiting, expiry). */
interface Clock {
  nowMs(): number;
}

const systemClock: Clock = { nowMs: () => Date.now() };

const toEpochSeconds = (ms: number): number => Math.floor(ms / 1000);

export type { Clock };
export { systemClock, toEpochSeconds };
