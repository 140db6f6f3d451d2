import { eq, sql } from 'drizzle-orm';
import type { GatewayModelSettings } from '../config/index.ts';
import { groupingState, type Db } from '../db/index.ts';
import { createEmbeddings, type ProviderRegistry } from '../providers/index.ts';
import { createVectorizer, type DocumentFrequencies, type SparseVector, type Vectorizer } from './text-vector.ts';

/**
 * Where failure texts become vectors: the local hashed TF-IDF (the fallback), or a configured
 * embeddings model through the providers. Patterns remember the space their centroid lives in.
 */
export interface VectorSpace {
  /** `local` or `embeddings:<model>`: centroids of different spaces are never compared. */
  readonly name: string;
  /** Dense spaces compare a failure with every pattern held; sparse ones use the term index. */
  readonly dense: boolean;
  vectors(texts: string[], signal?: AbortSignal): Promise<SparseVector[]>;
  /** The heaviest terms of a text (titles and summaries); always local. */
  topTerms(text: string, k: number): string[];
  /** Persists what the space learned (document frequencies), at most every `minIntervalMs`. */
  save(minIntervalMs?: number): Promise<void>;
}

const dfKey = 'local-document-frequencies';
const defaultSaveIntervalMs = 30_000;

function toSparse(dense: number[]): SparseVector {
  let norm = 0;
  for (const x of dense) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  const idx = new Uint32Array(dense.length);
  const val = new Float64Array(dense.length);
  dense.forEach((x, i) => {
    idx[i] = i;
    val[i] = x / norm;
  });
  return { idx, val };
}

/** Loads the persisted document frequencies into a fresh vectorizer; saves them merged with what others saved. */
async function loadedVectorizer(db: Db): Promise<{ vectorizer: Vectorizer; save: (minIntervalMs?: number) => Promise<void> }> {
  const vectorizer = createVectorizer();
  const load = async (): Promise<void> => {
    const [row] = await db.select({ data: groupingState.data }).from(groupingState).where(eq(groupingState.key, dfKey));
    if (row) vectorizer.absorbFrequencies(row.data as DocumentFrequencies);
  };
  await load();
  let savedAt = Date.now();
  let savedDocs = vectorizer.documents();
  return {
    vectorizer,
    async save(minIntervalMs = defaultSaveIntervalMs) {
      if (vectorizer.documents() === savedDocs || Date.now() - savedAt < minIntervalMs) return;
      await load();
      const data = vectorizer.frequencies();
      await db
        .insert(groupingState)
        .values({ key: dfKey, data })
        .onConflictDoUpdate({ target: groupingState.key, set: { data, updatedAt: sql`now()` } });
      savedAt = Date.now();
      savedDocs = vectorizer.documents();
    },
  };
}

export async function createLocalSpace(db: Db): Promise<VectorSpace> {
  const { vectorizer, save } = await loadedVectorizer(db);
  return {
    name: 'local',
    dense: false,
    async vectors(texts) {
      for (const t of texts) vectorizer.observe(t);
      return texts.map((t) => vectorizer.vector(t));
    },
    topTerms: (text, k) => vectorizer.topTerms(text, k),
    save,
  };
}

export async function createEmbeddingSpace(db: Db, registry: ProviderRegistry, settings: GatewayModelSettings): Promise<VectorSpace> {
  const local = await createLocalSpace(db);
  return {
    name: `embeddings:${settings.model}`,
    dense: true,
    async vectors(texts, signal) {
      // The local frequencies still learn, for titles' top terms.
      await local.vectors(texts);
      const out: SparseVector[] = [];
      for (let i = 0; i < texts.length; i += 256) {
        const batch = texts.slice(i, i + 256);
        const r = await createEmbeddings(registry, settings.model, batch, { ...(settings.apiKey ? { apiKey: settings.apiKey } : {}), ...(signal ? { signal } : {}) });
        for (const v of r.vectors) out.push(toSparse(v));
      }
      return out;
    },
    topTerms: local.topTerms,
    save: local.save,
  };
}
