/** JSON parsing that explains why text is not JSON, and short forms of values for messages and evidence. */
import { clip } from '../../core/index.ts';

/** The most output text a failure's evidence carries (the call row keeps the whole output). */
const EVIDENCE_TEXT_MAX = 20_000;
export const evidenceText = (text: string | null): string | null => (text === null ? null : clip(text, EVIDENCE_TEXT_MAX));

/** A value as a short, one-line JSON-ish string for messages. */
export function preview(value: unknown, max = 80): string {
  if (value === undefined) return 'nothing';
  let s: string;
  try {
    s = JSON.stringify(value) ?? String(value);
  } catch {
    s = String(value);
  }
  return clip(s.replace(/\s+/g, ' '), max);
}

/** Why text that should be JSON is not, in a few fixed words (stable, so failures group by it). */
export type JsonProblem = 'wrapped in a markdown code fence' | 'ends before the JSON is complete' | 'text around the JSON' | 'invalid JSON syntax' | 'not JSON';

export type JsonParse = { ok: true; value: unknown } | { ok: false; problem: JsonProblem; parseError: string };

const FENCE = /^\s*```[A-Za-z0-9_-]*[ \t]*\r?\n([\s\S]*?)\r?\n?```\s*$/;

function tryParse(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/** Where the bracketed value that opens `text` closes: its index, or -1 when it never closes. */
function closingIndex(text: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** Names the likely cause of text not parsing as JSON. */
function problemOf(text: string): JsonProblem {
  const fenced = FENCE.exec(text);
  if (fenced && tryParse(fenced[1] ?? '').ok) return 'wrapped in a markdown code fence';
  const trimmed = text.trim();
  if (!/^[[{]/.test(trimmed)) return /[[{]/.test(trimmed) ? 'text around the JSON' : 'not JSON';
  const end = closingIndex(trimmed);
  if (end === -1) return 'ends before the JSON is complete';
  if (end < trimmed.length - 1) return 'text around the JSON';
  return 'invalid JSON syntax';
}

/** Parses text as strict JSON (what a strict client does); on failure names the likely cause. */
export function parseJsonText(text: string): JsonParse {
  const parsed = tryParse(text);
  if (parsed.ok) return parsed;
  return { ok: false, problem: problemOf(text), parseError: parsed.error };
}
