import { ClusterIndex } from './cluster-index.ts';
import { dotSums, dotWithSum, prune, type Cluster } from './cluster-vectors.ts';
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
  /**
   * Scopes with a rule of their own: their join and merge thresholds, compared with every cluster of
   * the scope. Null for scopes that follow the options above.
   */
  scopePolicy?: (scope: string) => ScopePolicy | null;
}

export interface ScopePolicy {
  assign: number;
  merge: number;
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
  /**
   * Joins the nearest cluster of the scope above the threshold; else `fallback` (a live cluster of
   * any scope, e.g. the pattern another signal of the same call is in), when given; else a new one.
   */
  assign(id: string, vector: SparseVector, fingerprintKey: string, scope?: string, fallback?: string): Assignment;
  /** Unites clusters touched since the last merge whose centroids reached the threshold. */
  merge(threshold: number): { merged: [from: string, into: string][] };
  /** Unites two live clusters whatever their scopes (one problem seen through several signals); the survivor keeps its scope. */
  unite(from: string, into: string): boolean;
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

const maxMergeRounds = 5;

export function createClusterer(opts: ClustererOptions): Clusterer {
  return new IncrementalClusterer(opts);
}

class IncrementalClusterer implements Clusterer {
  private readonly threshold: number;
  private readonly bonus: number;
  private readonly maxTerms: number;
  private readonly scopePolicy: (scope: string) => ScopePolicy | null;
  private seq = 0;
  private readonly newId: () => string;
  private readonly ix: ClusterIndex;
  /** Clusters to compare at the next merge. */
  private readonly dirty = new Set<string>();
  /** Clusters created or changed since the last takeChanged(). */
  private readonly changed = new Set<string>();

  constructor(opts: ClustererOptions) {
    this.threshold = opts.threshold;
    this.bonus = opts.fingerprintBonus ?? 0.1;
    this.maxTerms = opts.maxTerms ?? 256;
    this.scopePolicy = opts.scopePolicy ?? (() => null);
    this.newId = opts.newId ?? (() => `c${++this.seq}`);
    this.ix = new ClusterIndex({ cap: opts.maxClusters ?? 64, queryTerms: opts.queryTerms ?? 12, indexTerms: opts.indexTerms ?? 16, exhaustive: opts.exhaustive ?? false });
  }

  assign(_id: string, vector: SparseVector, fingerprintKey: string, scope = '', fallback?: string): Assignment {
    let best: Cluster | null = null;
    let bestScore = -Infinity;
    let bestSim = 0;
    const policy = this.scopePolicy(scope);
    for (const cid of this.ix.candidates(vector, fingerprintKey, scope, policy ? true : undefined)) {
      const c = this.ix.all.get(cid);
      if (!c || c.mergedInto || c.norm2 <= 0) continue;
      const sim = dotWithSum(vector, c.sum) / Math.sqrt(c.norm2);
      const score = sim + (c.fingerprints.has(fingerprintKey) ? this.bonus : 0);
      if (score > bestScore) [best, bestScore, bestSim] = [c, score, sim];
    }
    if (best && bestScore >= (policy?.assign ?? this.threshold)) {
      this.addTo(best, vector, fingerprintKey);
      return { clusterId: best.id, similarity: bestSim, created: false };
    }
    const host = fallback === undefined ? undefined : this.ix.all.get(this.ix.resolve(fallback));
    if (host && !host.mergedInto) {
      this.addTo(host, vector, fingerprintKey);
      return { clusterId: host.id, similarity: bestSim, created: false };
    }
    return { clusterId: this.create(vector, fingerprintKey, scope).id, similarity: 1, created: true };
  }

  merge(threshold: number): { merged: [from: string, into: string][] } {
    const merged: [string, string][] = [];
    for (let round = 0; round < maxMergeRounds && this.dirty.size > 0; round++) {
      const touched = [...this.dirty];
      this.dirty.clear();
      for (const id of touched) this.mergeNear(id, threshold, merged);
    }
    this.dirty.clear();
    return { merged };
  }

  unite(fromId: string, intoId: string): boolean {
    const from = this.ix.all.get(this.ix.resolve(fromId));
    const into = this.ix.all.get(this.ix.resolve(intoId));
    if (!from || !into || from === into || from.mergedInto || into.mergedInto) return false;
    this.absorb(from, into);
    return true;
  }

  clusters(): ClusterSummary[] {
    return [...this.ix.all.values()]
      .filter((c) => !c.mergedInto)
      .map((c) => ({ id: c.id, scope: c.scope, size: c.size, fingerprints: Object.fromEntries(c.fingerprints) }));
  }

  resolve(clusterId: string): string {
    return this.ix.resolve(clusterId);
  }

  restore(st: ClusterState): void {
    const sum = new Map<number, number>();
    let n2 = 0;
    st.sum.idx.forEach((b, i) => {
      const w = st.sum.val[i] ?? 0;
      sum.set(b, w);
      n2 += w * w;
    });
    const existing = this.ix.all.get(st.id);
    const c: Cluster = { id: st.id, scope: st.scope, sum, norm2: n2, size: st.size, fingerprints: new Map(Object.entries(st.fingerprints)), indexed: new Set(), nextReindex: 1, mergedInto: null };
    if (existing && existing.scope !== st.scope) this.ix.byScope.get(existing.scope)?.delete(st.id);
    this.ix.all.set(c.id, c);
    this.ix.scopeSet(c.scope).add(c.id);
    this.ix.index(c);
    for (const fp of c.fingerprints.keys()) this.ix.listFingerprint(c, fp);
  }

  state(id: string): ClusterState | undefined {
    const c = this.ix.all.get(id);
    if (!c || c.mergedInto) return undefined;
    const entries = [...c.sum].sort((x, y) => x[0] - y[0]);
    return {
      id: c.id,
      scope: c.scope,
      sum: { idx: entries.map((e) => e[0]), val: entries.map((e) => e[1]) },
      size: c.size,
      fingerprints: Object.fromEntries(c.fingerprints),
    };
  }

  touch(ids: Iterable<string>): void {
    for (const id of ids) {
      const c = this.ix.all.get(id);
      if (c && !c.mergedInto) this.dirty.add(id);
    }
  }

  takeChanged(): string[] {
    const out = [...this.changed];
    this.changed.clear();
    return out;
  }

  forget(id: string): void {
    const c = this.ix.all.get(id);
    if (!c) return;
    this.ix.all.delete(id);
    this.ix.byScope.get(c.scope)?.delete(id);
    this.dirty.delete(id);
    this.changed.delete(id);
  }

  size(): number {
    return [...this.ix.byScope.values()].reduce((n, s) => n + s.size, 0);
  }

  private addTo(c: Cluster, v: SparseVector, fp: string): void {
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
    c.fingerprints.set(fp, (c.fingerprints.get(fp) ?? 0) + 1);
    this.ix.listFingerprint(c, fp);
    if (c.size >= c.nextReindex) {
      prune(c, this.maxTerms);
      this.ix.index(c);
    } else if (c.sum.size > this.maxTerms * 2) prune(c, this.maxTerms);
    this.dirty.add(c.id);
    this.changed.add(c.id);
  }

  private create(v: SparseVector, fp: string, scope: string): Cluster {
    const c: Cluster = { id: this.newId(), scope, sum: new Map(), norm2: 0, size: 0, fingerprints: new Map(), indexed: new Set(), nextReindex: 1, mergedInto: null };
    this.ix.all.set(c.id, c);
    this.ix.scopeSet(scope).add(c.id);
    this.addTo(c, v, fp);
    return c;
  }

  private absorb(from: Cluster, into: Cluster): void {
    for (const [b, w] of from.sum) into.sum.set(b, (into.sum.get(b) ?? 0) + w);
    let n2 = 0;
    for (const w of into.sum.values()) n2 += w * w;
    into.norm2 = n2;
    into.size += from.size;
    for (const [fp, n] of from.fingerprints) {
      into.fingerprints.set(fp, (into.fingerprints.get(fp) ?? 0) + n);
      this.ix.relistFingerprint(into, fp);
    }
    from.mergedInto = into.id;
    from.sum = new Map();
    this.ix.byScope.get(from.scope)?.delete(from.id);
    this.changed.add(from.id);
    this.changed.add(into.id);
    prune(into, this.maxTerms);
    this.ix.index(into);
  }

  /** Unites the cluster `id` with the clusters of its scope sharing an indexed term whose centroids reach the threshold. */
  private mergeNear(id: string, threshold: number, merged: [string, string][]): void {
    const first = this.ix.all.get(this.ix.resolve(id));
    if (!first || first.norm2 <= 0) return;
    let a: Cluster = first;
    const policy = this.scopePolicy(first.scope);
    for (const otherId of this.ix.near(a, policy ? true : undefined)) {
      const b = this.ix.all.get(otherId);
      if (!b || b === a || b.mergedInto || b.norm2 <= 0 || b.scope !== a.scope) continue;
      if (dotSums(a.sum, b.sum) / Math.sqrt(a.norm2 * b.norm2) < (policy?.merge ?? threshold)) continue;
      const [from, into] = a.size <= b.size ? [a, b] : [b, a];
      this.absorb(from, into);
      this.dirty.add(into.id);
      merged.push([from.id, into.id]);
      a = into;
    }
  }
}
