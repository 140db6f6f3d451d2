import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { clip, isRecord, type JsonRecord } from '../../core/index.ts';
import { preview } from './json-text.ts';

/** One way a value failed its schema: where, what the schema wanted, what came. */
export interface SchemaViolation {
  /** JSONPath-like location: `$`, `$.items[2].price`, `$["odd key"]`. */
  path: string;
  expected: string;
  got: string;
  keyword: string;
}

export type CompiledSchema = { ok: true; validate: (value: unknown) => SchemaViolation[] } | { ok: false; error: string };

/** User schemas carry unknown keywords (OpenAI's `strict`, descriptions, vendor fields): never strict. */
const ajvOptions: Options = { allErrors: true, strict: false, addUsedSchema: false };

/** A fresh validator instance per schema: schemas never collide on `$id`, and dropping one frees it. */
function newAjv(schema: JsonRecord | boolean): { ajv: Ajv; schema: JsonRecord | boolean } {
  const draft = isRecord(schema) && typeof schema['$schema'] === 'string' ? schema['$schema'] : '';
  let ajv: Ajv;
  if (draft.includes('2020-12')) ajv = new Ajv2020(ajvOptions);
  else if (draft.includes('2019-09')) ajv = new Ajv2019(ajvOptions);
  else ajv = new Ajv(ajvOptions);
  addFormats.default(ajv);
  // older drafts' meta-schemas are not bundled; their keywords validate the same under draft-07
  if (isRecord(schema) && draft && !draft.includes('2020-12') && !draft.includes('2019-09') && !draft.includes('draft-07')) {
    const { $schema: _dropped, ...rest } = schema;
    return { ajv, schema: rest };
  }
  return { ajv, schema };
}

/** Compiles a JSON Schema; an invalid schema comes back as an error, never thrown. */
export function compileSchema(schema: JsonRecord | boolean): CompiledSchema {
  let fn: ValidateFunction;
  try {
    const made = newAjv(schema);
    fn = made.ajv.compile(made.schema);
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  return {
    ok: true,
    validate: (value) => (fn(value) ? [] : (fn.errors ?? []).map((e) => violationOf(e, value))),
  };
}

const CACHE_MAX = 256;
const cache = new Map<string, CompiledSchema>();

/** compileSchema, once per distinct schema (by its JSON text), keeping the most recently used few hundred. */
export function cachedSchema(schema: JsonRecord | boolean): CompiledSchema {
  const key = JSON.stringify(schema);
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const compiled = compileSchema(schema);
  cache.set(key, compiled);
  if (cache.size > CACHE_MAX) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  return compiled;
}

const unescapePointer = (s: string): string => s.replace(/~1/g, '/').replace(/~0/g, '~');

/** Follows a JSON Pointer through a value, writing the path as `$.a[0]["b c"]`. */
function locate(value: unknown, pointer: string, extra?: string): { path: string; value: unknown } {
  const segments = pointer ? pointer.split('/').slice(1).map(unescapePointer) : [];
  if (extra !== undefined) segments.push(extra);
  let path = '$';
  let cur: unknown = value;
  for (const seg of segments) {
    if (Array.isArray(cur) && /^\d+$/.test(seg)) {
      path += `[${seg}]`;
      cur = cur[Number(seg)];
    } else {
      path += /^[A-Za-z_$][\w$]*$/.test(seg) ? `.${seg}` : `[${JSON.stringify(seg)}]`;
      cur = isRecord(cur) ? cur[seg] : undefined;
    }
  }
  return { path, value: cur };
}

const listed = (values: unknown[]): string => clip(`[${values.map((v) => (typeof v === 'string' ? v : preview(v, 40))).join(', ')}]`, 200);
const atLeastMost = (keyword: string): string => (keyword.startsWith('min') ? 'at least' : 'at most');

/** What the schema wanted, in words ("type number", "one of [a, b]", "required property 'x'"). */
function expectedOf(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type':
      return `type ${String(p['type']).split(',').join(' or ')}`;
    case 'enum':
      return `one of ${listed(Array.isArray(p['allowedValues']) ? p['allowedValues'] : [])}`;
    case 'const':
      return `the constant ${preview(p['allowedValue'], 60)}`;
    case 'required':
      return `required property '${String(p['missingProperty'])}'`;
    case 'additionalProperties':
      return `no property '${String(p['additionalProperty'])}' (additional properties not allowed)`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `a number ${String(p['comparison'])} ${String(p['limit'])}`;
    case 'minLength':
    case 'maxLength':
      return `a string of ${atLeastMost(e.keyword)} ${String(p['limit'])} characters`;
    case 'minItems':
    case 'maxItems':
      return `${atLeastMost(e.keyword)} ${String(p['limit'])} items`;
    case 'minProperties':
    case 'maxProperties':
      return `${atLeastMost(e.keyword)} ${String(p['limit'])} properties`;
    case 'pattern':
      return `a string matching /${String(p['pattern'])}/`;
    case 'format':
      return `format ${String(p['format'])}`;
    case 'multipleOf':
      return `a multiple of ${String(p['multipleOf'])}`;
    case 'false schema':
      return 'nothing here (schema is false)';
    default:
      return (e.message ?? e.keyword).replace(/^must /, '');
  }
}

function violationOf(e: ErrorObject, data: unknown): SchemaViolation {
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'required') {
    const { path } = locate(data, e.instancePath, String(p['missingProperty']));
    return { path, expected: expectedOf(e), got: 'missing', keyword: e.keyword };
  }
  if (e.keyword === 'additionalProperties') {
    const at = locate(data, e.instancePath, String(p['additionalProperty']));
    return { path: at.path, expected: expectedOf(e), got: preview(at.value), keyword: e.keyword };
  }
  const at = locate(data, e.instancePath);
  return { path: at.path, expected: expectedOf(e), got: preview(at.value), keyword: e.keyword };
}

/** "$.a: expected type string, got 42; $.b: …; and 2 more" — the first few violations, in a fixed pattern. */
export function describeViolations(violations: readonly SchemaViolation[], shown = 3): string {
  const parts = violations.slice(0, shown).map((v) => `${v.path}: expected ${v.expected}, got ${v.got}`);
  if (violations.length > shown) parts.push(`and ${violations.length - shown} more`);
  return parts.join('; ');
}

/** The most violations a failure's evidence lists. */
export const EVIDENCE_VIOLATIONS_MAX = 50;
