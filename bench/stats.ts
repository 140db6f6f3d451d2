/** Small statistics helpers for the benchmark. */

/** The q-quantile (0..1) of already sorted numbers, nearest-rank. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export function median(values: number[]): number {
  return quantileSorted(Float64Array.from(values).sort(), 0.5);
}

/** Least-squares slope of y over x. */
export function slope(xs: number[], ys: number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return 0;
  let sx = 0, sy = 0;
  for (let i = 0; i < n; i++) { sx += xs[i]!; sy += ys[i]!; }
  const mx = sx / n, my = sy / n;
  let num = 0, den = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    num += dx * (ys[i]! - my);
    den += dx * dx;
  }
  return den === 0 ? 0 : num / den;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Summary in milliseconds of latencies given in microseconds. */
export function summarizeMicros(micros: number[]): LatencySummary {
  const sorted = Float64Array.from(micros).sort();
  const ms = (q: number) => quantileSorted(sorted, q) / 1000;
  return { count: sorted.length, p50: ms(0.5), p90: ms(0.9), p99: ms(0.99), max: (sorted[sorted.length - 1] ?? Number.NaN) / 1000 };
}
