/**
 * The simulated embeddings model: a text's vector is built from its concepts, as a sentence encoder
 * would see them — synonyms share a concept (answer / output / reply, wrong / invalid / incorrect, ...),
 * so paraphrases of one complaint land close together (cosine ~0.8–0.95), different complaints of one
 * component further apart, unrelated texts near a small common baseline. Deterministic.
 */
import { createHash } from 'node:crypto';

export const SIM_EMBEDDING_DIM = 256;

const groups = [
  'answer output response reply result returned replied wrote answered produced gave emitted',
  'wrong incorrect invalid inaccurate mistaken erroneous bad broken malformed misclassified',
  'label labels category categories queue queues class tag',
  'format formatting form structure structured schema conform contract shape',
  'allowed permitted valid accepted acceptable',
  'expected required needed wanted asked specified requires rubric should must',
  'long lengthy wordy verbose rambling padded retells repeats narrates copies retell',
  'short brief concise brevity gist summary summarizing summarize',
  'words word limit maximum over beyond exceed',
  'json object machine readable parser importer',
  'fence fenced markdown code block preamble prose plain lines text sentence sentences list',
  'invented made hallucinated fictional fake exist nonexistent non existent',
  'indemnification indemnity indemnify harmless compensate reimburse',
  'limitation cap caps capped limits limit liability damages excludes',
  'confused mixed conflated misclassified mixing up',
  'product products item items recommendation recommended recommends catalogue catalog sell',
  'lowercase uppercase casing case bare single exact',
  'billing technical account',
  'total number numeric amount string',
  'date iso yyyy',
  'empty blank nothing',
  'cut truncated stops incomplete middle',
  'language foreign',
  'irrelevant unrelated topic wandered',
];

const stop = new Set('a an the is are was were be been to of in on at for and or but not no it its this that with as by from than so instead where which who what while only just one our we you your i me my us'.split(' '));

const concept = new Map<string, string>();
for (const g of groups) {
  const words = g.split(' ');
  for (const w of words) if (!concept.has(w)) concept.set(w, words[0]!);
}

function stem(w: string): string {
  return w.length > 4 ? w.replace(/(ing|ed|es|s)$/, '') : w;
}

function slots(key: string): [number, number][] {
  const h = createHash('sha256').update(key).digest();
  return [0, 1, 2].map((i) => [h.readUInt16BE(i * 2) % SIM_EMBEDDING_DIM, h[8 + i]! & 1 ? 1 : -1]);
}

/** A unit vector for a text. */
export function simEmbedding(text: string): number[] {
  const v = new Array<number>(SIM_EMBEDDING_DIM).fill(0);
  v[0] = 1; // what every text shares (the baseline similarity of unrelated texts)
  for (const raw of text.toLowerCase().match(/[a-z][a-z0-9_]*|\d+/g) ?? []) {
    if (stop.has(raw)) continue;
    const c = concept.get(raw) ?? concept.get(stem(raw));
    const key = c ? `c:${c}` : /^\d+$/.test(raw) ? 'n:number' : `w:${stem(raw)}`;
    const weight = c ? 1.5 : /^\d+$/.test(raw) ? 0.1 : 0.3;
    for (const [i, sign] of slots(key)) v[i]! += sign * weight;
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}
