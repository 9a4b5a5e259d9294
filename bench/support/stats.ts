/** Order statistics for benchmark samples. */
const quantile = (samples: readonly number[], q: number): number => {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] as number;
};

const median = (samples: readonly number[]): number => quantile(samples, 0.5);
const p90 = (samples: readonly number[]): number => quantile(samples, 0.9);
const p99 = (samples: readonly number[]): number => quantile(samples, 0.99);

const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

export { median, p90, p99, quantile, round };
