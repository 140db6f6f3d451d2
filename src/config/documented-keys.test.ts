import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.ts';
import { envSchema, fileConfigSchema } from './schema.ts';

/**
 * docs/configuration.md is the one place every setting is described. These tests walk the zod
 * schemas, so a key added to the schema later (a new YAML section, a new variable) fails here until
 * it has its row in that page, and a row whose key left the schema fails too.
 *
 * Key paths: `optimizer.maxEvalCalls`; a record's keys are `<name>` (`components.<name>.judge.model`);
 * an array of objects is `[]` (`components.<name>.rules[].labels`). A record or array of plain values
 * (`aliases`, `providers.<name>.headers`) is one setting.
 */

type Schema = z.core.$ZodType;
type Def = z.core.$ZodTypeDef & Record<string, unknown>;

const docPath = fileURLToPath(new URL('../../docs/configuration.md', import.meta.url));
const doc = readFileSync(docPath, 'utf8');

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'nonoptional', 'readonly', 'catch', 'success']);

function defOf(schema: Schema): Def {
  return schema._zod.def as Def;
}

/** Strips `.optional()`, `.default()` and the like (and a pipe's input side) down to the schema that holds the keys. */
function unwrap(schema: Schema): Schema {
  let s = schema;
  for (let i = 0; i < 32; i++) {
    const def = defOf(s);
    if (WRAPPERS.has(def.type)) s = def['innerType'] as Schema;
    else if (def.type === 'pipe') s = def['in'] as Schema;
    else if (def.type === 'lazy') s = (def['getter'] as () => Schema)();
    else return s;
  }
  throw new Error('schema nests wrappers too deeply (a recursive lazy schema?)');
}

interface Walk {
  /** Every key path, sections included. */
  all: Set<string>;
  /** Paths that hold a value rather than further keys. */
  leaves: Set<string>;
}

/** The schemas a node's value may be built from (the members of a union or an intersection). */
function alternatives(schema: Schema): Schema[] {
  const s = unwrap(schema);
  const def = defOf(s);
  if (def.type === 'union') return (def['options'] as Schema[]).flatMap(alternatives);
  if (def.type === 'intersection') return [...alternatives(def['left'] as Schema), ...alternatives(def['right'] as Schema)];
  return [s];
}

/** Object shape of one alternative, or null when it holds a plain value. */
function shapeOf(schema: Schema): Record<string, Schema> | null {
  const def = defOf(schema);
  return def.type === 'object' ? (def['shape'] as Record<string, Schema>) : null;
}

/** The element or value schema of a collection, and the path segment its entries get. */
function collectionOf(schema: Schema): { inner: Schema; segment: string } | null {
  const def = defOf(schema);
  if (def.type === 'record' || def.type === 'map') return { inner: def['valueType'] as Schema, segment: '.<name>' };
  if (def.type === 'array' || def.type === 'set') return { inner: (def['element'] ?? def['valueType']) as Schema, segment: '[]' };
  return null;
}

/** Whether values of this schema carry keys of their own (objects somewhere inside). */
function hasKeys(schema: Schema, depth = 0): boolean {
  if (depth > 16) throw new Error('schema nests too deeply');
  return alternatives(schema).some((s) => {
    const shape = shapeOf(s);
    if (shape) return Object.keys(shape).length > 0;
    const coll = collectionOf(s);
    return coll ? hasKeys(coll.inner, depth + 1) : false;
  });
}

function walk(schema: Schema, path: string, out: Walk, depth = 0): void {
  if (depth > 16) throw new Error(`schema nests too deeply at ${path}`);
  for (const s of alternatives(schema)) {
    const shape = shapeOf(s);
    const coll = collectionOf(s);
    if (shape && Object.keys(shape).length > 0) {
      for (const [key, child] of Object.entries(shape)) {
        const childPath = path ? `${path}.${key}` : key;
        out.all.add(childPath);
        walk(child, childPath, out, depth + 1);
      }
    } else if (coll && hasKeys(coll.inner)) {
      walk(coll.inner, `${path}${coll.segment}`, out, depth + 1);
    } else if (path) {
      out.leaves.add(path);
      out.all.add(path); // a value of a record of plain-or-object values (`aliases.<name>`) is a key path too
    }
  }
}

/** The key paths a YAML value actually uses, read with its schema (so records become `<name>`). */
function usedPaths(schema: Schema, value: unknown, path: string, out: Set<string>, depth = 0): void {
  if (value === undefined || value === null || depth > 16) return;
  for (const s of alternatives(schema)) {
    const shape = shapeOf(s);
    const coll = collectionOf(s);
    if (shape && Object.keys(shape).length > 0) {
      if (typeof value !== 'object' || Array.isArray(value)) continue;
      for (const [key, v] of Object.entries(value)) {
        const child = shape[key];
        if (!child) continue;
        const childPath = path ? `${path}.${key}` : key;
        out.add(childPath);
        usedPaths(child, v, childPath, out, depth + 1);
      }
    } else if (coll && hasKeys(coll.inner)) {
      const entries = Array.isArray(value) ? value : typeof value === 'object' ? Object.values(value) : [];
      for (const v of entries) usedPaths(coll.inner, v, `${path}${coll.segment}`, out, depth + 1);
    } else if (path) {
      out.add(path);
    }
  }
}

function schemaPaths(schema: Schema): Walk {
  const out: Walk = { all: new Set(), leaves: new Set() };
  walk(schema, '', out);
  return out;
}

/** The backquoted names in the first cell of every table row of the page: the settings it documents. */
function documentedNames(markdown: string): Set<string> {
  const names = new Set<string>();
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|') || /^\|[\s:|-]+\|?\s*$/.test(line)) continue;
    const firstCell = line.split('|')[1] ?? '';
    for (const m of firstCell.matchAll(/`([^`]+)`/g)) names.add(m[1]!);
  }
  return names;
}

/** The YAML block under the page's "complete example" heading. */
function completeExample(markdown: string): string {
  const heading = markdown.search(/^#{2,4} .*complete example/im);
  if (heading < 0) throw new Error('docs/configuration.md has no heading with "complete example"');
  const block = /```ya?ml\n([\s\S]*?)```/.exec(markdown.slice(heading));
  if (!block) throw new Error('no ```yaml block after the "complete example" heading');
  return block[1]!;
}

const envNames = Object.keys(shapeOf(unwrap(envSchema)) ?? {});
const file = schemaPaths(fileConfigSchema);
const topSections = Object.keys(shapeOf(unwrap(fileConfigSchema)) ?? {});
const documented = documentedNames(doc);

function missingMessage(what: string, missing: string[]): string {
  return `${missing.length} ${what} without a row (\`name\` in a table's first cell) in docs/configuration.md:\n  ${missing.join('\n  ')}`;
}

describe('docs/configuration.md documents every setting', () => {
  it('finds the schemas it walks', () => {
    expect(envNames.length).toBeGreaterThan(10);
    expect(topSections).toEqual(expect.arrayContaining(['providers', 'components', 'optimizer']));
    // The walk reaches into records, arrays and unions, not only the top level.
    expect([...file.leaves]).toEqual(expect.arrayContaining(['components.<name>.judge.model', 'components.<name>.rules[].labels', 'patterns.systematic.minRate']));
  });

  it('has a row for every environment variable', () => {
    const missing = envNames.filter((n) => !documented.has(n));
    if (missing.length > 0) expect.fail(missingMessage('environment variable(s)', missing));
  });

  it('has a row for every YAML key', () => {
    const missing = [...file.leaves].filter((p) => !documented.has(p));
    if (missing.length > 0) expect.fail(missingMessage('YAML key(s)', missing));
  });

  it('documents no key the schemas do not have', () => {
    const stale = [...documented].filter((name) => {
      const section = name.split(/[.[]/)[0] ?? '';
      if (topSections.includes(section)) return !file.all.has(name);
      return /^[A-Z][A-Z0-9_]+$/.test(name) && !envNames.includes(name);
    });
    if (stale.length > 0) expect.fail(`rows in docs/configuration.md name settings the schemas do not have:\n  ${stale.join('\n  ')}`);
  });

  it('has one complete YAML example that loads and uses every key', () => {
    const yaml = completeExample(doc);
    const env = Object.fromEntries([...yaml.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => [m[1]!, 'value-from-the-environment']));
    expect(() => loadConfig(env, yaml)).not.toThrow();
    const used = new Set<string>();
    usedPaths(fileConfigSchema, parseYaml(yaml), '', used);
    const unused = [...file.leaves].filter((p) => !used.has(p));
    if (unused.length > 0) expect.fail(`the complete example in docs/configuration.md leaves out:\n  ${unused.join('\n  ')}`);
  });
});
