import type { SparseVector } from './text-vector.ts';

/** A cluster as the clusterer holds it: the sum of its members' vectors and what indexes it. */
export interface Cluster {
  id: string;
  scope: string;
  sum: Map<number, number>;
  norm2: number;
  size: number;
  fingerprints: Map<string, number>;
  indexed: Set<number>;
  nextReindex: number;
  mergedInto: string | null;
}

/** Fingerprints remembered per cluster (the most common ones). */
const maxFingerprints = 32;

export function dotWithSum(v: SparseVector, sum: Map<number, number>): number {
  let s = 0;
  for (let i = 0; i < v.idx.length; i++) s += (v.val[i] as number) * (sum.get(v.idx[i] as number) ?? 0);
  return s;
}

export function dotSums(a: Map<number, number>, b: Map<number, number>): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let s = 0;
  for (const [k, w] of small) s += w * (large.get(k) ?? 0);
  return s;
}

/** Indexes of the k largest weights, heaviest first. */
export function heaviest(entries: Iterable<[number, number]>, k: number): number[] {
  return [...entries]
    .sort((x, y) => y[1] - x[1])
    .slice(0, k)
    .map((e) => e[0]);
}

/** Adds `id` to a capped list; when full it replaces the smallest cluster, if smaller than `size`. */
export function pushCapped(list: string[], id: string, size: number, cap: number, sizeOf: (id: string) => number): void {
  if (list.includes(id)) return;
  if (list.length < cap) {
    list.push(id);
    return;
  }
  let smallest = 0;
  for (let i = 1; i < list.length; i++) if (sizeOf(list[i] as string) < sizeOf(list[smallest] as string)) smallest = i;
  if (sizeOf(list[smallest] as string) <= size) list[smallest] = id;
}

/** Keeps a centroid's heaviest `maxTerms` dimensions (and its fingerprint map bounded). */
export function prune(c: Cluster, maxTerms: number): void {
  if (c.sum.size > maxTerms * 2) {
    const keep = heaviest(
      Array.from(c.sum, ([b, w]): [number, number] => [b, Math.abs(w)]),
      maxTerms,
    );
    const next = new Map<number, number>();
    let n2 = 0;
    for (const b of keep) {
      const w = c.sum.get(b) as number;
      next.set(b, w);
      n2 += w * w;
    }
    c.sum = next;
    c.norm2 = n2;
  }
  if (c.fingerprints.size > maxFingerprints * 2) {
    c.fingerprints = new Map([...c.fingerprints].sort((x, y) => y[1] - x[1]).slice(0, maxFingerprints));
  }
}
