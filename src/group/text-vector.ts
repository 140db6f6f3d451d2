/**
 * The local text embedding used when no embeddings model is configured: hashed TF-IDF over word
 * unigrams and bigrams, with document frequencies learned incrementally.
 */

import { fnv1a32 } from '../core/fnv1a.ts';

/** A sparse, L2-normalised vector: bucket indexes ascending, with their weights. */
export interface SparseVector {
  idx: Uint32Array;
  val: Float64Array;
}

export interface Vectorizer {
  /** Counts the text's terms into the document frequencies. */
  observe(text: string): void;
  /** The text's TF-IDF vector under the frequencies observed so far. */
  vector(text: string): SparseVector;
  /** Cosine similarity of two vectors from `vector`. */
  similarity(a: SparseVector, b: SparseVector): number;
  /** The text's k heaviest terms (unigrams and bigrams), for titles and summaries. */
  topTerms(text: string, k: number): string[];
  /** Documents observed. */
  documents(): number;
  /** The document frequencies, to persist (non-zero buckets only). */
  frequencies(): DocumentFrequencies;
  /** Takes in persisted frequencies, keeping the larger count of each bucket (several processes learn at once). */
  absorbFrequencies(f: DocumentFrequencies): void;
}

/** Document frequencies as stored: the documents seen and each non-zero bucket's count. */
export interface DocumentFrequencies {
  bits: number;
  docs: number;
  buckets: number[];
  counts: number[];
}

export interface VectorizerOptions {
  /** log2 of the bucket count; 18 by default. */
  bits?: number;
  /** Weight of a bigram relative to a unigram; 0.7 by default. */
  bigramWeight?: number;
}

const stopwords = new Set(
  ('a an and are as at be been but by can could did do does for from had has have he her his how i if in into is it its ' +
    'me my no not of on or our she so than that the their them then there these they this those to too was we were what ' +
    'when where which while who why will with would you your yours just also very about after again all am any because ' +
    'before being both each few further here more most other own same should some such only up down out over under until ' +
    'll ve re s t d m o y isn aren wasn weren doesn didn don won wouldn shouldn couldn hasn haven hadn').split(' '),
);

/** A light stemmer: plural and common verb endings, so "answers"/"answered" meet "answer". */
export function stem(word: string): string {
  if (word.length > 5 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 5 && word.endsWith('ing')) return word.slice(0, -3);
  if (word.length > 4 && word.endsWith('ed')) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us')) return word.slice(0, -1);
  return word;
}

/** Lowercased, stemmed content words; numbers and stopwords dropped. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.toLowerCase().split(/[^a-z0-9]+/)) {
    if (raw.length < 2 || stopwords.has(raw) || /^\d+$/.test(raw)) continue;
    out.push(stem(raw));
  }
  return out;
}


interface TermCounts {
  /** bucket → [term frequency weight, a term that fell in it] */
  counts: Map<number, { tf: number; term: string }>;
}

function countTerms(text: string, mask: number, bigramWeight: number): TermCounts {
  const tokens = tokenize(text);
  const counts = new Map<number, { tf: number; term: string }>();
  const add = (term: string, w: number): void => {
    const b = fnv1a32(term) & mask;
    const c = counts.get(b);
    if (c) c.tf += w;
    else counts.set(b, { tf: w, term });
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as string;
    add(t, 1);
    if (i > 0) add(`${tokens[i - 1] as string} ${t}`, bigramWeight);
  }
  return { counts };
}

/** Dot product of two sparse vectors (indexes ascending). */
export function sparseDot(a: SparseVector, b: SparseVector): number {
  let i = 0;
  let j = 0;
  let s = 0;
  while (i < a.idx.length && j < b.idx.length) {
    const x = a.idx[i] as number;
    const y = b.idx[j] as number;
    if (x === y) s += (a.val[i++] as number) * (b.val[j++] as number);
    else if (x < y) i++;
    else j++;
  }
  return s;
}

export function createVectorizer(opts: VectorizerOptions = {}): Vectorizer {
  const bits = opts.bits ?? 18;
  const mask = (1 << bits) - 1;
  const bigramWeight = opts.bigramWeight ?? 0.7;
  const df = new Uint32Array(1 << bits);
  let docs = 0;

  const idf = (b: number): number => Math.log((docs + 1) / ((df[b] ?? 0) + 1)) + 1;

  const weighted = (text: string): { b: number; w: number; term: string }[] => {
    const { counts } = countTerms(text, mask, bigramWeight);
    const out: { b: number; w: number; term: string }[] = [];
    for (const [b, c] of counts) out.push({ b, w: (1 + Math.log(c.tf)) * idf(b), term: c.term });
    return out;
  };

  return {
    observe(text) {
      docs++;
      for (const b of countTerms(text, mask, bigramWeight).counts.keys()) df[b] = (df[b] ?? 0) + 1;
    },
    vector(text) {
      const terms = weighted(text).sort((x, y) => x.b - y.b);
      const idx = new Uint32Array(terms.length);
      const val = new Float64Array(terms.length);
      let norm = 0;
      for (const t of terms) norm += t.w * t.w;
      norm = Math.sqrt(norm) || 1;
      terms.forEach((t, i) => {
        idx[i] = t.b;
        val[i] = t.w / norm;
      });
      return { idx, val };
    },
    similarity: sparseDot,
    topTerms(text, k) {
      return weighted(text)
        .sort((x, y) => y.w - x.w)
        .slice(0, k)
        .map((t) => t.term);
    },
    documents: () => docs,
    frequencies() {
      const buckets: number[] = [];
      const counts: number[] = [];
      for (let b = 0; b < df.length; b++) {
        const n = df[b] as number;
        if (n > 0) {
          buckets.push(b);
          counts.push(n);
        }
      }
      return { bits, docs, buckets, counts };
    },
    absorbFrequencies(f) {
      if (f.bits !== bits) return;
      docs = Math.max(docs, f.docs);
      f.buckets.forEach((b, i) => {
        if (b >= 0 && b < df.length) df[b] = Math.max(df[b] as number, f.counts[i] ?? 0);
      });
    },
  };
}
