export { failureFingerprint, normalizeMessage, evidenceShape, type Fingerprint, type FingerprintInput } from './fingerprint.ts';
export { createVectorizer, tokenize, stem, sparseDot, type SparseVector, type Vectorizer, type VectorizerOptions } from './text-vector.ts';
export { createClusterer, type Assignment, type ClusterSummary, type Clusterer, type ClustererOptions } from './incremental-clusterer.ts';
export { wilsonLowerBound, isSystematic, defaultSystematicThresholds, type PatternCounts, type SystematicThresholds, type SystematicVerdict } from './stats.ts';
export { generateCorpus, seededRandom, type Corpus, type CorpusItem, type CorpusOptions } from './corpus.ts';
export { truePatterns, type Diagnosis, type PatternSpec } from './corpus-patterns.ts';
export { adjustedRandIndex, purity, homogeneity, completeness } from './quality.ts';
