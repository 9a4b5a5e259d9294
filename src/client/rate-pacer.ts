/**
 * A client-side copy of the server's per-connection token bucket, so a flush after reconnect goes
 * out at a pace the server accepts instead of drawing RATE_LIMITED errors.
 */
interface RatePacerOptions {
  /** Frames that may go out back to back. @default 10 (the server's RATE_LIMIT_BURST) */
  burst: number;
  /** Refill rate. @default 1 (the server's RATE_LIMIT_PER_SECOND) */
  perSecond: number;
}

class RatePacer {
  readonly #burst: number;
  readonly #perMs: number;
  #tokens: number;
  #updatedAt: number;
  #blockedUntil = 0;

  public constructor(options: RatePacerOptions, nowMs: number) {
    this.#burst = Math.max(1, options.burst);
    this.#perMs = Math.max(options.perSecond, 1e-6) / 1000;
    this.#tokens = this.#burst;
    this.#updatedAt = nowMs;
  }

  /** A full bucket, as the server gives a new connection. */
  public reset(nowMs: number): void {
    this.#tokens = this.#burst;
    this.#updatedAt = nowMs;
    this.#blockedUntil = 0;
  }

  /** Takes a token and returns 0, or returns how long to wait before one is available. */
  public take(nowMs: number): number {
    if (nowMs < this.#blockedUntil) return this.#blockedUntil - nowMs;
    this.#tokens = Math.min(this.#burst, this.#tokens + (nowMs - this.#updatedAt) * this.#perMs);
    this.#updatedAt = nowMs;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    // The epsilon keeps floating-point noise from adding a millisecond.
    return Math.max(1, Math.ceil((1 - this.#tokens) / this.#perMs - 1e-6));
  }

  /** The server said RATE_LIMITED: send nothing for `retryAfterMs`, when its bucket holds one token again. */
  public block(nowMs: number, retryAfterMs: number): void {
    this.#blockedUntil = Math.max(this.#blockedUntil, nowMs + Math.max(0, retryAfterMs));
    this.#tokens = 1;
    this.#updatedAt = this.#blockedUntil;
  }
}

export type { RatePacerOptions };
export { RatePacer };
