import { int, pick, truePatterns, type Diagnosis, type PatternSpec, type Rng } from './corpus-patterns.ts';

/** Labelled failure corpora for tests and measurement: true patterns written many ways, plus one-off noise. */

export interface CorpusItem {
  id: string;
  component: string;
  kind: string;
  ruleId: string;
  message: string;
  evidence: Record<string, unknown>;
  /** The free text to cluster: judge rationale, feedback comment or failing output. */
  text: string;
  /** The true pattern, or `noise:<n>` for a one-off. */
  label: string;
  sessionId: string;
  userId: string;
  /** Which time window (0 … windows-1) the failure fell in. */
  window: number;
}

export interface CorpusOptions {
  seed?: number;
  size?: number;
  /** Share of items that are one-off noise; 0.1 by default. */
  noiseShare?: number;
  windows?: number;
  sessions?: number;
  users?: number;
  /** Calls of a component per failure in it, for rates; 10 by default. */
  callsPerFailure?: number;
}

export interface Corpus {
  items: CorpusItem[];
  /** Calls per component over the whole period, and per window. */
  calls: Record<string, { total: number; perWindow: number[] }>;
  patterns: { label: string; diagnosis: Diagnosis; component: string; kind: string }[];
}

/** mulberry32: a small deterministic PRNG. */
export function seededRandom(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const noiseWords = (
  'weather poem recipe garden holiday parking museum guitar painting football violin orchard ' +
  'kitten volcano galaxy pirate dinosaur lantern harbor meadow castle robot tulip marathon saxophone ' +
  'origami telescope glacier canyon bakery lighthouse carnival compass mosaic puzzle sculpture tennis ' +
  'umbrella waterfall yoga zebra avocado bamboo cactus dolphin emerald falcon geyser hammock igloo ' +
  'jellyfish kayak lemonade mango nectar oasis pancake quartz raccoon sapphire tortoise ukulele vineyard ' +
  'walrus yacht almond blizzard cathedral daisy eclipse fjord gondola hedgehog iris jasmine koala ' +
  'lagoon mermaid nebula otter peacock quiver rainbow sunflower tornado unicorn velvet willow'
).split(' ');

const syllables = 'ba ko ri mu te sa lo vi na pe du zi fa go hu ja ke li mo nu ra se ti vo wa'.split(' ');

/** A made-up word: one-off failures talk about things nothing else mentions. */
function rareWord(rng: Rng): string {
  return Array.from({ length: int(rng, 2, 4) }, () => pick(rng, syllables)).join('');
}

function noiseText(rng: Rng): string {
  const words = Array.from({ length: int(rng, 7, 12) }, () => (rng() < 0.3 ? pick(rng, noiseWords) : rareWord(rng)));
  return `${words.join(' ')}.`;
}

function noiseItem(rng: Rng, n: number): Omit<CorpusItem, 'id' | 'sessionId' | 'userId' | 'window'> {
  const host = pick(rng, truePatterns);
  const text = noiseText(rng);
  const base = { component: host.component, kind: host.kind, ruleId: host.ruleId, text, label: `noise:${n}` };
  if (host.kind === 'feedback') return { ...base, message: 'negative user feedback', evidence: { rating: -1, comment: text } };
  if (host.kind === 'judge') return { ...base, message: `judge failed the call (score 0.${int(rng, 10, 49)}; relevance)`, evidence: { score: 0.3, failed_criteria: ['relevance'], rationale: text } };
  // A one-off of a deterministic kind is a check that failed once: its own rule. (Failures of one
  // declared rule are one cause however their values differ: grouping keeps a rule's failures together.)
  const got = pick(rng, noiseWords);
  return { ...base, ruleId: `${host.kind}:one-off-${n}`, message: `unexpected output "${got}"`, evidence: { got }, text };
}

function pickPattern(rng: Rng, patterns: readonly PatternSpec[]): PatternSpec {
  const total = patterns.reduce((s, p) => s + p.weight, 0);
  let r = rng() * total;
  for (const p of patterns) if ((r -= p.weight) < 0) return p;
  return patterns[patterns.length - 1] as PatternSpec;
}

/** A deterministic labelled corpus: the same options give the same items. */
export function generateCorpus(opts: CorpusOptions = {}): Corpus {
  const rng = seededRandom(opts.seed ?? 1);
  const size = opts.size ?? 3000;
  const windows = opts.windows ?? 4;
  const sessions = opts.sessions ?? 400;
  const users = opts.users ?? 120;
  const noiseCount = Math.round(size * (opts.noiseShare ?? 0.1));
  const items: CorpusItem[] = [];
  for (let i = 0; i < size; i++) {
    const body = i < noiseCount ? noiseItem(rng, i) : patternItem(rng);
    items.push({ id: `f${i}`, ...body, sessionId: `s${int(rng, 1, sessions)}`, userId: `u${int(rng, 1, users)}`, window: int(rng, 0, windows - 1) });
  }
  shuffle(rng, items);
  return { items, calls: callsOf(items, windows, opts.callsPerFailure ?? 10), patterns: truePatterns.map(({ label, diagnosis, component, kind }) => ({ label, diagnosis, component, kind })) };
}

function patternItem(rng: Rng): Omit<CorpusItem, 'id' | 'sessionId' | 'userId' | 'window'> {
  const p = pickPattern(rng, truePatterns);
  return { component: p.component, kind: p.kind, ruleId: p.ruleId, ...p.make(rng), label: p.label };
}

function shuffle<T>(rng: Rng, xs: T[]): void {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [xs[i], xs[j]] = [xs[j] as T, xs[i] as T];
  }
}

function callsOf(items: CorpusItem[], windows: number, perFailure: number): Corpus['calls'] {
  const calls: Corpus['calls'] = {};
  for (const it of items) {
    const c = (calls[it.component] ??= { total: 0, perWindow: new Array<number>(windows).fill(0) });
    c.total += perFailure;
  }
  for (const c of Object.values(calls)) c.perWindow = c.perWindow.map(() => Math.round(c.total / windows));
  return calls;
}
