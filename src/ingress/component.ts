import { createHash } from 'node:crypto';
import { systemPromptText, type JsonRecord } from '../core/index.ts';

/** Variable parts of a prompt that change from call to call but not the prompt's template. */
const variableParts: [RegExp, string][] = [
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>'],
  [/\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b/g, '<email>'],
  [/\bhttps?:\/\/\S+/g, '<url>'],
  [/\b\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?\b/g, '<date>'],
  [/\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b/g, '<date>'],
  [/\b(Jan(uary)?|Feb(ruary)?|Mar(ch)?|Apr(il)?|May|June?|July?|Aug(ust)?|Sep(tember)?|Oct(ober)?|Nov(ember)?|Dec(ember)?)\.? \d{1,2}(st|nd|rd|th)?,? \d{4}\b/gi, '<date>'],
  [/\b(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b/gi, '<day>'],
  [/\b\d{1,2}:\d{2}(:\d{2})?\s*([AaPp][Mm])?\b/g, '<time>'],
  [/\b[0-9a-f]{12,}\b/gi, '<id>'],
  [/\b[A-Za-z]*\d[A-Za-z0-9_-]*\b/g, '<n>'],
  // Names: capitalised words after the first word of a sentence (template text rarely capitalises mid-sentence).
  [/(?<=[a-z,;:]\s+)[A-Z][\p{L}'-]+(\s+[A-Z][\p{L}'-]+)*/gu, '<name>'],
  [/\s+/g, ' '],
];

/** The template a system prompt was rendered from: the same prompt with other ids, dates, numbers or names maps to the same text. */
export function promptTemplate(prompt: string): string {
  let t = prompt;
  for (const [re, by] of variableParts) t = t.replace(re, by);
  return t.trim();
}

const componentName = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,127}$/;

/**
 * The agent component a call belongs to: the `x-fixpoint-component` header when it is a sane name,
 * else `auto:` + a fingerprint of the system prompt's template, else `default`.
 * Fingerprints are cached per prompt text, so a repeated prompt costs one map lookup.
 */
export function createComponentResolver(cacheSize = 2000) {
  const cache = new Map<string, string>();
  return (header: string | undefined, body: JsonRecord): string => {
    if (header && componentName.test(header)) return header;
    const prompt = systemPromptText(body);
    if (!prompt) return 'default';
    let id = cache.get(prompt);
    if (!id) {
      id = `auto:${createHash('sha256').update(promptTemplate(prompt)).digest('hex').slice(0, 12)}`;
      if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
      cache.set(prompt, id);
    }
    return id;
  };
}
