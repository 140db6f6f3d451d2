/** A synthetic corpus of failures with known true patterns, and the scores that compare a grouping with them (tests and bench only). */
export { generateCorpus, seededRandom, type Corpus, type CorpusItem, type CorpusOptions } from './corpus.ts';
export { truePatterns, type Diagnosis, type PatternSpec } from './corpus-patterns.ts';
export { adjustedRandIndex, purity, homogeneity, completeness } from './quality.ts';
