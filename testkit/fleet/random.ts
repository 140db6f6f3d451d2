/** Every random choice of the simulated fleet comes from here: seeded generators and hashed draws. */
import { createHash } from 'node:crypto';
import { fill, int, pick, type Rng } from '../grouping-corpus/corpus-patterns.ts';
import { seededRandom } from '../grouping-corpus/corpus.ts';

export { fill, int, pick, seededRandom, type Rng };

/**
 * A draw in [0, 1) that is a pure function of its parts: the same request gets the same answer (as at
 * temperature 0), a different prompt or input a fresh, independent draw.
 */
export function unitHash(...parts: (string | number)[]): number {
  return createHash('sha256').update(parts.join('\u0001')).digest().readUInt32BE(0) / 0x1_0000_0000;
}

/** A generator seeded by the hash of its parts (for the variant choices of one answer). */
export function rngOf(...parts: (string | number)[]): Rng {
  return seededRandom(Math.floor(unitHash(...parts) * 0x1_0000_0000));
}

/** Paraphrase: one of the templates, its `{slot}`s filled from the synonym lists, each pick independent. */
export function say(rng: Rng, templates: readonly string[], slots: Record<string, readonly string[]>): string {
  return fill(rng, pick(rng, templates), slots);
}

/** Picks with weights (the weights need not sum to 1). */
export function weighted<T>(rng: Rng, items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let r = rng() * total;
  for (const [item, w] of items) if ((r -= w) < 0) return item;
  return items[items.length - 1]![0];
}

export const firstNames = ['Ana', 'Ben', 'Chen', 'Dara', 'Eli', 'Fatima', 'Goran', 'Hana', 'Ivan', 'Jun', 'Kofi', 'Lena', 'Mateo', 'Nadia', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tariq', 'Uma', 'Viktor', 'Wen', 'Yara', 'Zoe'];
export const lastNames = ['Alvarez', 'Brennan', 'Costa', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Haddad', 'Ito', 'Jansen', 'Kowalski', 'Larsen', 'Moreau', 'Novak', 'Okafor', 'Petrov', 'Rossi', 'Schmidt', 'Tanaka', 'Varga', 'Weber', 'Yilmaz'];

export const personName = (rng: Rng): string => `${pick(rng, firstNames)} ${pick(rng, lastNames)}`;

/** An ISO date in 2027. */
export function isoDate(rng: Rng): string {
  return `2027-${String(int(rng, 1, 12)).padStart(2, '0')}-${String(int(rng, 1, 28)).padStart(2, '0')}`;
}

export const wordCount = (text: string): number => text.split(/\s+/).filter(Boolean).length;
