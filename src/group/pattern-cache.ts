import { and, asc, desc, eq, gt, isNull } from 'drizzle-orm';
import { patterns, type Db } from '../db/index.ts';
import { createClusterer, type Clusterer } from './incremental-clusterer.ts';
import { scopeOf, scopePolicy } from './scope.ts';

/** Most patterns of one component held in memory (the most recently seen); older ones rest in the database. */
export const maxPatternsHeld = 5000;
/** Components whose index is kept between jobs (least recently used dropped beyond). */
const maxComponentsHeld = 200;

export interface HeldPattern {
  kind: string;
  lastSeen: number;
}

/** One component's patterns as a clusterer, kept in step with the patterns table. */
export interface ComponentIndex {
  component: string;
  clusterer: Clusterer;
  held: Map<string, HeldPattern>;
  /** Largest updated_at read so far; later rows are read on the next sync. */
  syncedTo: Date | null;
  /** When this process last ran the merge pass over all of the component's held patterns. */
  mergedAllAt: number;
}

/**
 * The grouping job's memory: per component, the patterns of one vector space. Each job syncs the
 * rows updated since its last read (updated_at is the write's clock time, and writers of one
 * component are serialized by an advisory lock, so nothing is skipped).
 */
export class PatternCache {
  private readonly byComponent = new Map<string, ComponentIndex>();

  constructor(
    private readonly space: { name: string; dense: boolean },
    private readonly assignThreshold: number,
  ) {}

  async sync(db: Db, component: string): Promise<ComponentIndex> {
    let ix = this.byComponent.get(component);
    if (ix) this.byComponent.delete(component);
    ix ??= {
      component,
      clusterer: createClusterer({ threshold: this.assignThreshold, exhaustive: this.space.dense, scopePolicy, newId: () => crypto.randomUUID() }),
      held: new Map(),
      syncedTo: null,
      mergedAllAt: Date.now(),
    };
    this.byComponent.set(component, ix); // most recently used last
    if (this.byComponent.size > maxComponentsHeld) {
      const oldest = this.byComponent.keys().next().value;
      if (oldest !== undefined) this.byComponent.delete(oldest);
    }
    const cols = {
      id: patterns.id,
      kind: patterns.kind,
      ruleId: patterns.ruleId,
      centroid: patterns.centroid,
      failureCount: patterns.failureCount,
      fingerprints: patterns.fingerprints,
      mergedInto: patterns.mergedInto,
      lastSeen: patterns.lastSeen,
      updatedAt: patterns.updatedAt,
    };
    const rows =
      ix.syncedTo === null
        ? await db
            .select(cols)
            .from(patterns)
            .where(and(eq(patterns.component, component), eq(patterns.space, this.space.name), isNull(patterns.mergedInto)))
            .orderBy(desc(patterns.lastSeen))
            .limit(maxPatternsHeld)
        : await db
            .select(cols)
            .from(patterns)
            .where(and(eq(patterns.component, component), eq(patterns.space, this.space.name), gt(patterns.updatedAt, ix.syncedTo)))
            .orderBy(asc(patterns.updatedAt))
            .limit(maxPatternsHeld);
    for (const r of rows) {
      if (!ix.syncedTo || r.updatedAt > ix.syncedTo) ix.syncedTo = r.updatedAt;
      if (r.mergedInto) {
        ix.clusterer.forget(r.id);
        ix.held.delete(r.id);
        continue;
      }
      ix.clusterer.restore({ id: r.id, scope: scopeOf(r.kind, r.ruleId), sum: r.centroid, size: r.failureCount, fingerprints: r.fingerprints });
      ix.held.set(r.id, { kind: r.kind, lastSeen: r.lastSeen.getTime() });
    }
    ix.clusterer.takeChanged();
    this.evict(ix);
    return ix;
  }

  /** Drops the least recently seen patterns beyond the bound. */
  evict(ix: ComponentIndex): void {
    if (ix.held.size <= maxPatternsHeld) return;
    const byAge = [...ix.held].sort((a, b) => a[1].lastSeen - b[1].lastSeen);
    for (const [id] of byAge.slice(0, ix.held.size - maxPatternsHeld)) {
      ix.clusterer.forget(id);
      ix.held.delete(id);
    }
  }

  /** Forget a component (its job failed mid-way: re-read it all next time). */
  drop(component: string): void {
    this.byComponent.delete(component);
  }
}
