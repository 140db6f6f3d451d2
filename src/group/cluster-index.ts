import { heaviest, pushCapped, type Cluster } from './cluster-vectors.ts';
import type { SparseVector } from './text-vector.ts';

export interface ClusterIndexOptions {
  /** Most clusters kept per posting list (and per fingerprint). */
  cap: number;
  /** How many of a vector's heaviest terms are looked up. */
  queryTerms: number;
  /** How many of a centroid's heaviest terms index it. */
  indexTerms: number;
  /** Candidates are every cluster of the scope (dense vectors), not the inverted index's. */
  exhaustive: boolean;
}

/**
 * Where the clusterer finds clusters: all of them by id (merged ones too, pointing at their
 * survivor) and the live ones by scope; an inverted index per scope (a centroid's heaviest terms →
 * clusters) with capped posting lists; and the clusters of each fingerprint, also capped. Lists keep
 * the largest clusters when full, so lookups stay bounded however many clusters there are.
 */
export class ClusterIndex {
  readonly all = new Map<string, Cluster>();
  readonly byScope = new Map<string, Set<string>>();
  private readonly postings = new Map<string, Map<number, string[]>>();
  private readonly byFingerprint = new Map<string, string[]>();

  constructor(private readonly o: ClusterIndexOptions) {}

  readonly sizeOf = (id: string): number => {
    const c = this.all.get(id);
    return c && !c.mergedInto ? c.size : -1;
  };

  /** The live cluster a (possibly merged) cluster id now belongs to. */
  readonly resolve = (id: string): string => {
    let c = this.all.get(id);
    while (c?.mergedInto) c = this.all.get(c.mergedInto);
    return c?.id ?? id;
  };

  /** Posts the cluster under its centroid's heaviest terms; it is indexed again when its size doubles. */
  index(c: Cluster): void {
    let scoped = this.postings.get(c.scope);
    if (!scoped) this.postings.set(c.scope, (scoped = new Map()));
    for (const b of heaviest(c.sum, this.o.indexTerms)) {
      c.indexed.add(b);
      let list = scoped.get(b);
      if (!list) scoped.set(b, (list = []));
      pushCapped(list, c.id, c.size, this.o.cap, this.sizeOf);
    }
    c.nextReindex = c.size * 2;
  }

  /** Lists the cluster among the clusters of a fingerprint in its scope. */
  listFingerprint(c: Cluster, fp: string): void {
    const key = `${c.scope}\u0000${fp}`;
    let list = this.byFingerprint.get(key);
    if (!list) this.byFingerprint.set(key, (list = []));
    pushCapped(list, c.id, c.size, this.o.cap, this.sizeOf);
  }

  /** As listFingerprint, where the fingerprint already has a list in the scope (a merge's survivor). */
  relistFingerprint(c: Cluster, fp: string): void {
    pushCapped(this.byFingerprint.get(`${c.scope}\u0000${fp}`) ?? [], c.id, c.size, this.o.cap, this.sizeOf);
  }

  /** The clusters a vector is compared with: those of its fingerprint, and those posted under its heaviest terms. */
  candidates(v: SparseVector, fp: string, scope: string, exhaustive = this.o.exhaustive): Set<string> {
    if (exhaustive) return this.byScope.get(scope) ?? new Set();
    const found = new Set<string>(this.byFingerprint.get(`${scope}\u0000${fp}`) ?? []);
    const scoped = this.postings.get(scope);
    if (!scoped) return found;
    const terms = heaviest(
      Array.from(v.idx, (b, i): [number, number] => [b, v.val[i] as number]),
      this.o.queryTerms,
    );
    for (const b of terms) for (const id of scoped.get(b) ?? []) found.add(this.resolve(id));
    return found;
  }

  /** The clusters of c's scope posted under one of c's indexed terms (merge candidates). */
  near(c: Cluster, exhaustive = this.o.exhaustive): Set<string> {
    if (exhaustive) return new Set(this.byScope.get(c.scope) ?? []);
    const scoped = this.postings.get(c.scope);
    const near = new Set<string>();
    for (const b of c.indexed) for (const other of scoped?.get(b) ?? []) near.add(this.resolve(other));
    return near;
  }

  scopeSet(scope: string): Set<string> {
    let set = this.byScope.get(scope);
    if (!set) this.byScope.set(scope, (set = new Set()));
    return set;
  }
}
