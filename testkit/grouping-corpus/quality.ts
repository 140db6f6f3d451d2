/** Clustering quality against true labels: adjusted Rand index, purity, homogeneity and completeness. */

interface Contingency {
  n: number;
  cells: Map<string, number>;
  rows: Map<string, number>;
  cols: Map<string, number>;
}

function contingency(labelsTrue: string[], labelsPred: string[]): Contingency {
  if (labelsTrue.length !== labelsPred.length) throw new RangeError('label arrays differ in length');
  const cells = new Map<string, number>();
  const rows = new Map<string, number>();
  const cols = new Map<string, number>();
  labelsTrue.forEach((t, i) => {
    const p = labelsPred[i] as string;
    const key = JSON.stringify([t, p]);
    cells.set(key, (cells.get(key) ?? 0) + 1);
    rows.set(t, (rows.get(t) ?? 0) + 1);
    cols.set(p, (cols.get(p) ?? 0) + 1);
  });
  return { n: labelsTrue.length, cells, rows, cols };
}

const pairs = (k: number): number => (k * (k - 1)) / 2;
const sumPairs = (m: Map<string, number>): number => [...m.values()].reduce((s, k) => s + pairs(k), 0);

/** Adjusted Rand index (Hubert & Arabie): 1 for identical partitions, about 0 for random ones. */
export function adjustedRandIndex(labelsTrue: string[], labelsPred: string[]): number {
  const c = contingency(labelsTrue, labelsPred);
  if (c.n < 2) return 1;
  const index = sumPairs(c.cells);
  const a = sumPairs(c.rows);
  const b = sumPairs(c.cols);
  const expected = (a * b) / pairs(c.n);
  const max = (a + b) / 2;
  if (max === expected) return 1;
  return (index - expected) / (max - expected);
}

/** Share of items whose predicted cluster's majority label is their own. */
export function purity(labelsTrue: string[], labelsPred: string[]): number {
  const c = contingency(labelsTrue, labelsPred);
  if (c.n === 0) return 1;
  const best = new Map<string, number>();
  for (const [key, k] of c.cells) {
    const [, p] = JSON.parse(key) as [string, string];
    best.set(p, Math.max(best.get(p) ?? 0, k));
  }
  return [...best.values()].reduce((s, k) => s + k, 0) / c.n;
}

function entropy(m: Map<string, number>, n: number): number {
  let h = 0;
  for (const k of m.values()) if (k > 0) h -= (k / n) * Math.log(k / n);
  return h;
}

/** H(A | B) from the contingency table, `byRow` choosing which side is conditioned on. */
function conditionalEntropy(c: Contingency, conditionOnPred: boolean): number {
  let h = 0;
  for (const [key, k] of c.cells) {
    const [t, p] = JSON.parse(key) as [string, string];
    const margin = conditionOnPred ? (c.cols.get(p) ?? k) : (c.rows.get(t) ?? k);
    h -= (k / c.n) * Math.log(k / margin);
  }
  return h;
}

/** Homogeneity (Rosenberg & Hirschberg): 1 when each cluster holds one label only. */
export function homogeneity(labelsTrue: string[], labelsPred: string[]): number {
  const c = contingency(labelsTrue, labelsPred);
  const h = entropy(c.rows, c.n);
  return h === 0 ? 1 : 1 - conditionalEntropy(c, true) / h;
}

/** Completeness (Rosenberg & Hirschberg): 1 when all items of a label share one cluster. */
export function completeness(labelsTrue: string[], labelsPred: string[]): number {
  const c = contingency(labelsTrue, labelsPred);
  const h = entropy(c.cols, c.n);
  return h === 0 ? 1 : 1 - conditionalEntropy(c, false) / h;
}
