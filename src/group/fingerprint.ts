import { createHash } from 'node:crypto';

/** The parts of a failure row that decide its fingerprint. */
export interface FingerprintInput {
  component: string;
  kind: string;
  ruleId: string;
  message: string;
  evidence: Record<string, unknown>;
}

export interface Fingerprint {
  /** Short sha256 hex of [component, kind, ruleId, shape, evidence shape]. */
  key: string;
  /** The message with its variable parts replaced by placeholders. */
  shape: string;
}

/** Free text longer than this many words (outside brackets) becomes `<text>`. */
const longTextWords = 12;

const uuid = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const prefixedId = /\b[a-z]{2,12}[_-](?=[a-z0-9]*\d)[a-z0-9]{6,}\b/gi;
const longHex = /\b(?=[0-9a-f]*\d)[0-9a-f]{12,}\b/gi;
const quoted = /"(?:[^"\\]|\\.)*"|(?<!\w)'(?:[^'\\]|\\.)*'(?!\w)|`[^`]*`|“[^”]*”/g;
const arrayIndex = /\[\d+\]/g;
const slashIndex = /\/\d+(?=\/|\b)/g;
const numberLike = /(?<![\w<])[-+]?\d+(?:[.,:]\d+)*(?:e[-+]?\d+)?(?:%|ms|s|m|h|k|kb|mb|x)?(?![\w>])/gi;

/** Replaces the variable parts of a failure message by placeholders, keeping its structure. */
export function normalizeMessage(message: string): string {
  let s = message.trim().replace(/\s+/g, ' ');
  s = s.replace(quoted, '<value>');
  s = s.replace(uuid, '<id>').replace(prefixedId, '<id>').replace(longHex, '<id>');
  s = s.replace(arrayIndex, '[*]').replace(slashIndex, '/*');
  s = s.replace(numberLike, '<n>');
  return collapseLongText(s);
}

/** Segments (split at `:` and `;`) holding long free text become `<text>`. */
function collapseLongText(s: string): string {
  return s
    .split(/([:;] )/)
    .map((part) => (countWords(part) > longTextWords ? '<text>' : part))
    .join('');
}

function countWords(part: string): number {
  const outsideBrackets = part.replace(/\[[^\]]*\]|\([^)]*\)/g, ' ');
  return outsideBrackets.split(/\s+/).filter((w) => /[a-z]/i.test(w)).length;
}

const maxDepth = 3;
const pathLike = /^(?:\$|\/)[\w$.[\]/*-]*$/;

/** The type structure of evidence: sorted keys and value types, with paths' indexes abstracted. */
export function evidenceShape(value: unknown, depth = 0): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') {
    return pathLike.test(value) && value.length <= 200 ? `path(${value.replace(arrayIndex, '[*]').replace(slashIndex, '/*')})` : 'string';
  }
  if (typeof value !== 'object') return typeof value;
  if (depth >= maxDepth) return Array.isArray(value) ? 'array' : 'object';
  if (Array.isArray(value)) {
    const kinds = [...new Set(value.map((v) => evidenceShape(v, depth + 1)))].sort();
    return `[${kinds.join('|')}]`;
  }
  const entries = Object.keys(value as Record<string, unknown>)
    .sort()
    .map((k) => `${k}:${evidenceShape((value as Record<string, unknown>)[k], depth + 1)}`);
  return `{${entries.join(',')}}`;
}

/** A deterministic fingerprint, as error trackers group exceptions: same rule and same shape, same key. */
export function failureFingerprint(f: FingerprintInput): Fingerprint {
  const shape = normalizeMessage(f.message);
  const tuple = JSON.stringify([f.component, f.kind, f.ruleId, shape, evidenceShape(f.evidence)]);
  const key = createHash('sha256').update(tuple).digest('hex').slice(0, 16);
  return { key, shape };
}
