/** Shortening long text for messages, evidence, titles and model prompts, always marking the cut. */

/** Cuts text to `max` characters, marking the cut with `…` (a cut text is `max` + 1 characters long). */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** Cuts text so that it fits in `max` characters, `…` included, with no space left before the `…` (titles). */
export function clipWithin(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** Head and tail of a long text, with what was cut in between. */
export function clipMiddle(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = Math.floor(max * 0.7);
  const tail = Math.max(0, max - head);
  return `${text.slice(0, head)}\n…[${text.length - head - tail} characters omitted]…\n${tail > 0 ? text.slice(-tail) : ''}`;
}
