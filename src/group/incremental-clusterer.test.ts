import { describe, expect, it } from 'vitest';
import { adjustedRandIndex, completeness, generateCorpus, purity } from '../../testkit/grouping-corpus/index.ts';
import { failureFingerprint } from './fingerprint.ts';
import { createClusterer } from './incremental-clusterer.ts';
import { createVectorizer } from './text-vector.ts';

/** The settings the local fallback is tuned to (labels never reach the clusterer). */
const assignThreshold = 0.25;
const mergeThreshold = 0.2;

function clusterCorpus(seed: number, size: number): { labels: string[]; predicted: string[]; created: number } {
  const corpus = generateCorpus({ seed, size });
  const vectorizer = createVectorizer();
  const clusterer = createClusterer({ threshold: assignThreshold });
  let created = 0;
  const ids = corpus.items.map((it) => {
    vectorizer.observe(it.text);
    const a = clusterer.assign(it.id, vectorizer.vector(it.text), failureFingerprint(it).key, `${it.component}/${it.kind}`);
    if (a.created) created++;
    return a.clusterId;
  });
  clusterer.merge(mergeThreshold);
  return { labels: corpus.items.map((i) => i.label), predicted: ids.map((id) => clusterer.resolve(id)), created };
}

describe('incremental clusterer', () => {
  it('groups a generated corpus with adjusted Rand index ≥ 0.9 using the local fallback', () => {
    for (const seed of [7, 42]) {
      const { labels, predicted } = clusterCorpus(seed, 3000);
      const ari = adjustedRandIndex(labels, predicted);
      console.log(`seed ${seed}: ARI ${ari.toFixed(3)}, purity ${purity(labels, predicted).toFixed(3)}, completeness ${completeness(labels, predicted).toFixed(3)}`);
      expect(ari).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('starts a new cluster below the threshold and joins above it, within a scope only', () => {
    const v = createVectorizer();
    const texts = ['answer far too long and verbose', 'answer too long and verbose again', 'wrong invoice total arithmetic'];
    for (const t of texts) v.observe(t);
    const c = createClusterer({ threshold: 0.3 });
    const [t0, t1, t2] = texts.map((t) => v.vector(t));
    if (!t0 || !t1 || !t2) throw new Error('vectors missing');
    expect(c.assign('1', t0, 'fp', 'bot/judge').created).toBe(true);
    const joined = c.assign('2', t1, 'fp', 'bot/judge');
    expect(joined.created).toBe(false);
    expect(joined.similarity).toBeGreaterThan(0.3);
    expect(c.assign('3', t2, 'fp', 'bot/judge').created).toBe(true);
    expect(c.assign('4', t0, 'fp', 'other/judge').created).toBe(true);
    expect(c.clusters().map((k) => k.size).sort()).toEqual([1, 1, 2]);
  });

  it('merges clusters whose centroids drifted together', () => {
    const v = createVectorizer();
    for (const t of ['alpha beta gamma', 'alpha beta delta']) v.observe(t);
    const c = createClusterer({ threshold: 0.99 });
    const a = c.assign('1', v.vector('alpha beta gamma'), 'x', 's');
    const b = c.assign('2', v.vector('alpha beta delta'), 'x', 's');
    expect(a.clusterId).not.toBe(b.clusterId);
    const { merged } = c.merge(0.3);
    expect(merged).toHaveLength(1);
    expect(c.resolve(a.clusterId)).toBe(c.resolve(b.clusterId));
    expect(c.clusters()).toHaveLength(1);
  });
});
