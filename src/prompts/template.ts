/**
 * Prompt templates: the fixed text and the variable parts (slots) of a component's system prompt,
 * inferred from the prompts its calls sent. A swap carries the slot values of the incoming request
 * into the new version's text; a request that does not fit the template is left alone.
 */

export type TemplatePart = { text: string } | { slot: string };

export interface PromptTemplate {
  parts: TemplatePart[];
  /** Slot names in order of appearance. */
  slots: string[];
}

/** Words, runs of whitespace and single punctuation marks: the units prompts are aligned on. */
export function promptTokens(text: string): string[] {
  return text.match(/\s+|[\p{L}\p{N}_@]+(?:[.+-][\p{L}\p{N}_@]+)*|[^\s\p{L}\p{N}]/gu) ?? [];
}

type Cell = { text: string } | { slot: true };

/** Indexes of `a` that are in a longest common subsequence with `b` (slot cells never match). */
function lcsKept(a: Cell[], b: string[]): boolean[] {
  const n = a.length;
  const m = b.length;
  const dp: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    const row = dp[i] as Uint32Array;
    const next = dp[i + 1] as Uint32Array;
    const cell = a[i] as Cell;
    for (let j = m - 1; j >= 0; j--) {
      row[j] = 'text' in cell && cell.text === b[j] ? (next[j + 1] as number) + 1 : Math.max(next[j] as number, row[j + 1] as number);
    }
  }
  const kept = new Array<boolean>(n).fill(false);
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    const cell = a[i] as Cell;
    if ('text' in cell && cell.text === b[j]) {
      kept[i] = true;
      i++;
      j++;
    } else if (((dp[i + 1] as Uint32Array)[j] as number) >= ((dp[i] as Uint32Array)[j + 1] as number)) i++;
    else j++;
  }
  return kept;
}

/** Cells not kept become one slot per run (adjacent slots merge); whitespace-only text next to slots joins them. */
function generalize(cells: Cell[], kept: boolean[]): Cell[] {
  const out: Cell[] = [];
  cells.forEach((c, i) => {
    if (kept[i] && 'text' in c) out.push(c);
    else if (!(out.at(-1) && 'slot' in (out.at(-1) as Cell))) out.push({ slot: true });
  });
  return out;
}

/**
 * The template of a set of prompts: text every prompt shares, in order, and slots where they differ.
 * Very long prompts are aligned on their first 4,000 tokens' worth; the rest must match exactly.
 */
export function inferTemplate(prompts: readonly string[]): PromptTemplate {
  const samples = [...new Set(prompts)].slice(0, 50);
  if (samples.length === 0) return { parts: [], slots: [] };
  let cells: Cell[] = promptTokens(samples[0] as string).map((text) => ({ text }));
  for (const s of samples.slice(1)) {
    const tokens = promptTokens(s);
    if (cells.length * tokens.length > 4_000_000) continue;
    // Trailing tokens the sample has beyond the template also make a slot.
    const kept = lcsKept(cells, tokens);
    cells = generalize(cells, kept);
    if (!fits(toTemplate(cells), s)) cells = [...cells, { slot: true }];
  }
  return toTemplate(cells);
}

function toTemplate(cells: Cell[]): PromptTemplate {
  const parts: TemplatePart[] = [];
  const slots: string[] = [];
  for (const c of cells) {
    if ('slot' in c) {
      const name = `slot${slots.length + 1}`;
      slots.push(name);
      parts.push({ slot: name });
    } else {
      const last = parts.at(-1);
      if (last && 'text' in last) last.text += c.text;
      else parts.push({ text: c.text });
    }
  }
  return { parts, slots };
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A regular expression that matches a prompt fitting the template, capturing slot values in order. */
export function templateMatcher(t: PromptTemplate): RegExp {
  const body = t.parts.map((p, i) => ('text' in p ? escapeRe(p.text) : i === t.parts.length - 1 ? '([\\s\\S]*)' : '([\\s\\S]*?)')).join('');
  return new RegExp(`^${body}$`);
}

function fits(t: PromptTemplate, prompt: string): boolean {
  return templateMatcher(t).test(prompt);
}

/** The slot values of a prompt, or null when it does not fit the template. */
export function extractSlots(t: PromptTemplate, prompt: string, matcher: RegExp = templateMatcher(t)): Record<string, string> | null {
  const m = matcher.exec(prompt);
  if (!m) return null;
  return Object.fromEntries(t.slots.map((name, i) => [name, m[i + 1] ?? '']));
}

/** `{{name}}` placeholders in a version's text. */
const placeholder = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** The slots a version's text uses, in order of first use. */
export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(placeholder)].map((m) => m[1] as string))];
}

/** The template written as text with `{{slot}}` placeholders (the form versions are stored in). */
export function templateText(t: PromptTemplate): string {
  return t.parts.map((p) => ('text' in p ? p.text : `{{${p.slot}}}`)).join('');
}

/** A version's text with the request's slot values put in. */
export function renderTemplate(text: string, values: Record<string, string>): string {
  return text.replace(placeholder, (whole, name: string) => values[name] ?? whole);
}

/** A template back from its stored text form (`{{slot}}` placeholders). */
export function parseTemplateText(text: string): PromptTemplate {
  const parts: TemplatePart[] = [];
  const slots: string[] = [];
  let at = 0;
  for (const m of text.matchAll(placeholder)) {
    if ((m.index ?? 0) > at) parts.push({ text: text.slice(at, m.index) });
    const name = m[1] as string;
    parts.push({ slot: name });
    if (!slots.includes(name)) slots.push(name);
    at = (m.index ?? 0) + m[0].length;
  }
  if (at < text.length) parts.push({ text: text.slice(at) });
  return { parts, slots };
}
