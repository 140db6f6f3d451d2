import type { SparseVector } from './text-vector.ts';

/**
 * Incremental clustering of failure vectors: a new failure joins the nearest cluster of its scope
 * (component + kind) above a cosine threshold, or starts one. Work per assign is bounded: the
 * candidates come from an inverted index (a cluster's heaviest terms → cluster) with capped
 * posting lists, plus the recent clusters of the same fingerprint, never from a scan of all clusters.
 */

export interface ClustererOptions {
  /** Cosine to a centroid at or above which a failure joins the cluster. */
  threshold: number;
  /** Most clusters kept per posting list (and per fingerprint); 64 by default. */
  maxClusters?: number;
  /** Added to the similarity of clusters holding the same fingerprint; 0.1 by default. */
  fingerprintBonus?: number;
  /** How many of a vector's heaviest terms are looked up; 12 by default. */
  queryTerms?: number;
  /** How many of a centroid's heaviest terms index it; 16 by default. */
  indexTerms?: number;
  /** Makes cluster ids; `c1`, `c2`, … by default. */
  newId?: () => string;
  /** Dimensions a centroid keeps (its heaviest); 256 by default, so a centroid's cost stays bounded. */
  maxTerms?: number;
  /**
   * Compare with every cluster of the scope instead of the inverted index: for dense vectors
   * (embeddings), whose heaviest dimensions say little. The caller bounds the clusters held.
   */
  exhaustive?: boolean;
}

/** A cluster as persisted: enough to restore it into a clusterer. */
export interface ClusterState {
  id: string;
  scope: string;
  /** The sum of its members' vectors over its heaviest dimensions. */
  sum: { idx: number[]; val: number[] };
  size: number;
  fingerprints: Record<string, number>;
}

export interface Assignment {
  clusterId: string;
  /** Cosine to the centroid joined (1 for a new cluster). */
  similarity: number;
  created: boolean;
}

export interface ClusterSummary {
  id: string;
  scope: string;
  size: number;
  /** fingerprint key → members with it */
  fingerprints: Record<string, number>;
}

export interface Clusterer {
  assign(id: string, vector: SparseVector, fingerprintKey: string, scope?: string): Assignment;
  /** Unites clusters touched since the last merge whose centroids reached the threshold. */
  merge(threshold: number): { merged: [from: string, into: string][] };
  clusters(): ClusterSummary[];
  /** The live cluster a (possibly merged) cluster id now belongs to. */
  resolve(clusterId: string): string;
  /** Adds (or replaces) a persisted cluster. */
  restore(state: ClusterState): void;
  /** A live cluster's state, to persist; undefined for unknown or merged ids. */
  state(id: string): ClusterState | undefined;
  /** Clusters created or changed since the last call (live ones only, merged ones resolved). */
  takeChanged(): string[];
  /** Marks these clusters for the next merge (the periodic pass over patterns that drifted together). */
  touch(ids: Iterable<string>): void;
  /** Forgets a cluster (evicted from a bounded cache); it can be restored later. */
  forget(id: string): void;
  /** Live clusters held. */
  size(): number;
}

interface Cluster {
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

const maxMergeRounds = 5;
/** Fingerprints remembered per cluster (the most common ones). */
const maxFingerprints = 32;

function dotWithSum(v: SparseVector, sum: Map<number, number>): number {
  let s = 0;
  for (let i = 0; i < v.idx.length; i++) s += (v.val[i] as number) * (sum.get(v.idx[i] as number) ?? 0);
  return s;
}

function dotSums(a: Map<number, number>, b: Map<number, number>): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let s = 0;
  for (const [k, w] of small) s += w * (large.get(k) ?? 0);
  return s;
}

/** Indexes of the k largest weights, heaviest first. */
function heaviest(entries: Iterable<[number, number]>, k: number): number[] {
  return [...entries]
    .sort((x, y) => y[1] - x[1])
    .slice(0, k)
    .map((e) => e[0]);
}

/** Adds `id` to a capped list; when full it replaces the smallest cluster, if smaller than `size`. */
function pushCapped(list: string[], id: string, size: number, cap: number, sizeOf: (id: string) => number): void {
  if (list.includes(id)) return;
  if (list.length < cap) {
    list.push(id);
    return;
  }
  let smallest = 0;
  for (let i = 1; i < list.length; i++) if (sizeOf(list[i] as string) < sizeOf(list[smallest] as string)) smallest = i;
  if (sizeOf(list[smallest] as string) <= size) list[smallest] = id;
}

export function createClusterer(opts: ClustererOptions): Clusterer {
  const cap = opts.maxClusters ?? 64;
  const bonus = opts.fingerprintBonus ?? 0.1;
  const queryTerms = opts.queryTerms ?? 12;
  const indexTerms = opts.indexTerms ?? 16;
  const maxTerms = opts.maxTerms ?? 256;
  let seq = 0;
  const newId = opts.newId ?? (() => `c${++seq}`);
  const all = new Map<string, Cluster>();
  const postings = new Map<string, Map<number, string[]>>();
  const byFingerprint = new Map<string, string[]>();
  const dirty = new Set<string>();
  const changed = new Set<string>();
  const byScope = new Map<string, Set<string>>();

  const sizeOf = (id: string): number => {
    const c = all.get(id);
    return c && !c.mergedInto ? c.size : -1;
  };
  const resolve = (id: string): string => {
    let c = all.get(id);
    while (c?.mergedInto) c = all.get(c.mergedInto);
    return c?.id ?? id;
  };

  const index = (c: Cluster): void => {
    let scoped = postings.get(c.scope);
    if (!scoped) postings.set(c.scope, (scoped = new Map()));
    for (const b of heaviest(c.sum, indexTerms)) {
      c.indexed.add(b);
      let list = scoped.get(b);
      if (!list) scoped.set(b, (list = []));
      pushCapped(list, c.id, c.size, cap, sizeOf);
    }
    c.nextReindex = c.size * 2;
  };

  /** Keeps a centroid's heaviest `maxTerms` dimensions (and its fingerprint map bounded). */
  const prune = (c: Cluster): void => {
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
  };

  const noteFingerprint = (c: Cluster, fp: string): void => {
    c.fingerprints.set(fp, (c.fingerprints.get(fp) ?? 0) + 1);
    const key = `${c.scope}\u0000${fp}`;
    let list = byFingerprint.get(key);
    if (!list) byFingerprint.set(key, (list = []));
    pushCapped(list, c.id, c.size, cap, sizeOf);
  };

  const candidates = (v: SparseVector, fp: string, scope: string): Set<string> => {
    if (opts.exhaustive) return byScope.get(scope) ?? new Set();
    const found = new Set<string>(byFingerprint.get(`${scope}\u0000${fp}`) ?? []);
    const scoped = postings.get(scope);
    if (!scoped) return found;
    const terms = heaviest(
      Array.from(v.idx, (b, i): [number, number] => [b, v.val[i] as number]),
      queryTerms,
    );
    for (const b of terms) for (const id of scoped.get(b) ?? []) found.add(resolve(id));
    return found;
  };

  const addTo = (c: Cluster, v: SparseVector, fp: string): void => {
    const d = dotWithSum(v, c.sum);
    let vv = 0;
    for (let i = 0; i < v.idx.length; i++) {
      const b = v.idx[i] as number;
      const w = v.val[i] as number;
      vv += w * w;
      c.sum.set(b, (c.sum.get(b) ?? 0) + w);
    }
    c.norm2 += 2 * d + vv;
    c.size++;
    noteFingerprint(c, fp);
    if (c.size >= c.nextReindex) {
      prune(c);
      index(c);
    } else if (c.sum.size > maxTerms * 2) prune(c);
    dirty.add(c.id);
    changed.add(c.id);
  };

  const create = (v: SparseVector, fp: string, scope: string): Cluster => {
    const c: Cluster = { id: newId(), scope, sum: new Map(), norm2: 0, size: 0, fingerprints: new Map(), indexed: new Set(), nextReindex: 1, mergedInto: null };
    all.set(c.id, c);
    scopeSet(scope).add(c.id);
    addTo(c, v, fp);
    return c;
  };

  const scopeSet = (scope: string): Set<string> => {
    let set = byScope.get(scope);
    if (!set) byScope.set(scope, (set = new Set()));
    return set;
  };

  const absorb = (from: Cluster, into: Cluster): void => {
    for (const [b, w] of from.sum) into.sum.set(b, (into.sum.get(b) ?? 0) + w);
    let n2 = 0;
    for (const w of into.sum.values()) n2 += w * w;
    into.norm2 = n2;
    into.size += from.size;
    for (const [fp, n] of from.fingerprints) {
      into.fingerprints.set(fp, (into.fingerprints.get(fp) ?? 0) + n);
      pushCapped(byFingerprint.get(`${into.scope}\u0000${fp}`) ?? [], into.id, into.size, cap, sizeOf);
    }
    from.mergedInto = into.id;
    from.sum = new Map();
    byScope.get(from.scope)?.delete(from.id);
    changed.add(from.id);
    changed.add(into.id);
    prune(into);
    index(into);
  };

  /** Unites the cluster `id` with the clusters of its scope sharing an indexed term whose centroids reach the threshold. */
  const mergeNear = (id: string, threshold: number, merged: [string, string][]): void => {
    const first = all.get(resolve(id));
    if (!first || first.norm2 <= 0) return;
    let a: Cluster = first;
    const scoped = postings.get(a.scope);
    const near = new Set<string>();
    for (const b of a.indexed) for (const other of scoped?.get(b) ?? []) near.add(resolve(other));
    for (const otherId of near) {
      const b = all.get(otherId);
      if (!b || b === a || b.mergedInto || b.norm2 <= 0) continue;
      if (dotSums(a.sum, b.sum) / Math.sqrt(a.norm2 * b.norm2) < threshold) continue;
      const [from, into] = a.size <= b.size ? [a, b] : [b, a];
      absorb(from, into);
      dirty.add(into.id);
      merged.push([from.id, into.id]);
      a = into;
    }
  };

  return {
    assign(_id, vector, fingerprintKey, scope = '') {
      let best: Cluster | null = null;
      let bestScore = -Infinity;
      let bestSim = 0;
      for (const cid of candidates(vector, fingerprintKey, scope)) {
        const c = all.get(cid);
        if (!c || c.mergedInto || c.norm2 <= 0) continue;
        const sim = dotWithSum(vector, c.sum) / Math.sqrt(c.norm2);
        const score = sim + (c.fingerprints.has(fingerprintKey) ? bonus : 0);
        if (score > bestScore) [best, bestScore, bestSim] = [c, score, sim];
      }
      if (best && bestScore >= opts.threshold) {
        addTo(best, vector, fingerprintKey);
        return { clusterId: best.id, similarity: bestSim, created: false };
      }
      return { clusterId: create(vector, fingerprintKey, scope).id, similarity: 1, created: true };
    },

    merge(threshold) {
      const merged: [string, string][] = [];
      for (let round = 0; round < maxMergeRounds && dirty.size > 0; round++) {
        const touched = [...dirty];
        dirty.clear();
        for (const id of touched) mergeNear(id, threshold, merged);
      }
      dirty.clear();
      return { merged };
    },

    clusters() {
      return [...all.values()]
        .filter((c) => !c.mergedInto)
        .map((c) => ({ id: c.id, scope: c.scope, size: c.size, fingerprints: Object.fromEntries(c.fingerprints) }));
    },

    resolve,

    restore(st) {
      const sum = new Map<number, number>();
      let n2 = 0;
      st.sum.idx.forEach((b, i) => {
        const w = st.sum.val[i] ?? 0;
        sum.set(b, w);
        n2 += w * w;
      });
      const existing = all.get(st.id);
      const c: Cluster = { id: st.id, scope: st.scope, sum, norm2: n2, size: st.size, fingerprints: new Map(Object.entries(st.fingerprints)), indexed: new Set(), nextReindex: 1, mergedInto: null };
      if (existing && existing.scope !== st.scope) byScope.get(existing.scope)?.delete(st.id);
      all.set(c.id, c);
      scopeSet(c.scope).add(c.id);
      index(c);
      for (const fp of c.fingerprints.keys()) {
        const key = `${c.scope}\u0000${fp}`;
        let list = byFingerprint.get(key);
        if (!list) byFingerprint.set(key, (list = []));
        pushCapped(list, c.id, c.size, cap, sizeOf);
      }
    },

    state(id) {
      const c = all.get(id);
      if (!c || c.mergedInto) return undefined;
      const entries = [...c.sum].sort((x, y) => x[0] - y[0]);
      return {
        id: c.id,
        scope: c.scope,
        sum: { idx: entries.map((e) => e[0]), val: entries.map((e) => e[1]) },
        size: c.size,
        fingerprints: Object.fromEntries(c.fingerprints),
      };
    },

    touch(ids) {
      for (const id of ids) {
        const c = all.get(id);
        if (c && !c.mergedInto) dirty.add(id);
      }
    },

    takeChanged() {
      const out = [...changed];
      changed.clear();
      return out;
    },

    forget(id) {
      const c = all.get(id);
      if (!c) return;
      all.delete(id);
      byScope.get(c.scope)?.delete(id);
      dirty.delete(id);
      changed.delete(id);
    },

    size: () => [...byScope.values()].reduce((n, s) => n + s.size, 0),
  };
}
