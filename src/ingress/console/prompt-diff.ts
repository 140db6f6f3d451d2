import { diffLines, diffWordsWithSpace } from 'diff';
import { html } from 'hono/html';
import type { Html } from './format.ts';

type LineKind = 'same' | 'removed' | 'added';

interface DiffLine {
  kind: LineKind;
  /** The line in parts; `changed` parts differ from the paired line (word level). */
  parts: { text: string; changed: boolean }[];
}

const linesOf = (value: string): string[] => {
  const lines = value.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
};

/**
 * A line diff of two prompts; a removed line followed by an added one is compared word by word, so a
 * one-line prompt with a sentence added shows that sentence, not the whole line twice.
 */
export function promptDiffLines(before: string, after: string): DiffLine[] {
  const out: DiffLine[] = [];
  const changes = diffLines(before, after);
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i]!;
    const next = changes[i + 1];
    if (c.removed && next?.added) {
      const removed = linesOf(c.value);
      const added = linesOf(next.value);
      const pairs = Math.min(removed.length, added.length);
      for (let k = 0; k < pairs; k++) {
        const words = diffWordsWithSpace(removed[k]!, added[k]!);
        out.push({ kind: 'removed', parts: words.filter((w) => !w.added).map((w) => ({ text: w.value, changed: w.removed })) });
        out.push({ kind: 'added', parts: words.filter((w) => !w.removed).map((w) => ({ text: w.value, changed: w.added })) });
      }
      for (const line of removed.slice(pairs)) out.push({ kind: 'removed', parts: [{ text: line, changed: false }] });
      for (const line of added.slice(pairs)) out.push({ kind: 'added', parts: [{ text: line, changed: false }] });
      i++;
      continue;
    }
    const kind: LineKind = c.added ? 'added' : c.removed ? 'removed' : 'same';
    for (const line of linesOf(c.value)) out.push({ kind, parts: [{ text: line, changed: false }] });
  }
  return out;
}

const sign: Record<LineKind, string> = { same: ' ', removed: '−', added: '+' };

/** The diff as HTML: one row per line, marked words inside changed lines (all text escaped). */
export function promptDiff(before: string, after: string): Html {
  const lines = promptDiffLines(before, after);
  if (before === after) return html`<p class="muted">The prompts are the same.</p>`;
  return html`<pre class="diff">${lines.map(
    (l) =>
      html`<span class="diff-line diff-${l.kind}"><span class="diff-sign" aria-hidden="true">${sign[l.kind]}</span>${l.parts.map((p) =>
        p.changed ? (l.kind === 'added' ? html`<ins>${p.text}</ins>` : html`<del>${p.text}</del>`) : p.text,
      )}</span>`,
  )}</pre>`;
}
