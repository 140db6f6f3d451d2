/** Settings of the grouping benchmark (bench/grouping.ts), kept apart so parsing flags loads no database code. */

export interface GroupingOptions {
  /** Store sizes in failures, ascending; the first is the reference. */
  sizes: number[];
  /** New failures grouped per measured round. */
  failures: number;
  rounds: number;
  /** New failures grouped before measuring (the pattern cache's cold read), per size. */
  warmup: number;
  /** Corpus failures grouped through the real code to seed the store's patterns. */
  seed: number;
}

export const DEFAULT_GROUPING: GroupingOptions = { sizes: [10_000, 100_000, 1_000_000], failures: 4_000, rounds: 5, warmup: 2_000, seed: 3_000 };
export const QUICK_GROUPING: GroupingOptions = { sizes: [10_000, 100_000], failures: 1_000, rounds: 2, warmup: 500, seed: 3_000 };

/** `10000`, `10k`, `1M` → failures. */
export function parseSize(raw: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*$/.exec(raw);
  if (!m) throw new Error(`--grouping-sizes: not a size: ${raw}`);
  const n = Number(m[1]) * (m[2] === '' ? 1 : m[2]?.toLowerCase() === 'k' ? 1e3 : 1e6);
  if (!Number.isFinite(n) || n < 1) throw new Error(`--grouping-sizes: not a size: ${raw}`);
  return Math.round(n);
}
