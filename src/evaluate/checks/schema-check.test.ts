import { describe, expect, it } from 'vitest';
import { cachedSchema, compileSchema, describeViolations, type SchemaViolation } from './schema-check.ts';

function violations(schema: Record<string, unknown> | boolean, value: unknown): SchemaViolation[] {
  const c = compileSchema(schema);
  if (!c.ok) throw new Error(c.error);
  return c.validate(value);
}

const invoice = {
  type: 'object',
  required: ['customer', 'items'],
  additionalProperties: false,
  properties: {
    customer: { type: 'string', minLength: 1 },
    status: { enum: ['paid', 'open'] },
    items: { type: 'array', items: { type: 'object', required: ['sku', 'price'], properties: { sku: { type: 'string', pattern: '^[A-Z]{3}-\\d+$' }, price: { type: 'number', minimum: 0 } } } },
    'due date': { type: 'string', format: 'date' },
  },
};

describe('schema violations', () => {
  it('name the JSON path, what was expected and what came', () => {
    const v = violations(invoice, {
      customer: 'ACME',
      status: 'late',
      items: [{ sku: 'ABC-1', price: 3 }, { sku: 'ABC-2', price: 1 }, { sku: 'abc', price: '12.50' }, { sku: 'XYZ-9' }],
      'due date': 'tomorrow',
      note: 'hi',
    });
    const byPath = Object.fromEntries(v.map((x) => [x.path, x]));
    expect(byPath['$.items[2].price']).toEqual({ path: '$.items[2].price', expected: 'type number', got: '"12.50"', keyword: 'type' });
    expect(byPath['$.items[2].sku']).toMatchObject({ expected: 'a string matching /^[A-Z]{3}-\\d+$/', got: '"abc"' });
    expect(byPath['$.items[3].price']).toMatchObject({ expected: "required property 'price'", got: 'missing' });
    expect(byPath['$.status']).toMatchObject({ expected: 'one of [paid, open]', got: '"late"' });
    expect(byPath['$["due date"]']).toMatchObject({ expected: 'format date', got: '"tomorrow"' });
    expect(byPath['$.note']).toMatchObject({ expected: "no property 'note' (additional properties not allowed)", got: '"hi"' });
    expect(v).toHaveLength(6);
  });

  it('passes a matching value', () => {
    expect(violations(invoice, { customer: 'ACME', items: [{ sku: 'ABC-1', price: 0 }], 'due date': '2025-01-31' })).toEqual([]);
  });

  it('describes the root, limits, constants and unions', () => {
    expect(violations({ type: 'object' }, [1])).toEqual([{ path: '$', expected: 'type object', got: '[1]', keyword: 'type' }]);
    expect(violations({ type: ['string', 'null'] }, 3)[0]?.expected).toBe('type string or null');
    expect(violations({ type: 'array', maxItems: 2 }, [1, 2, 3])[0]?.expected).toBe('at most 2 items');
    expect(violations({ type: 'number', exclusiveMaximum: 10 }, 10)[0]?.expected).toBe('a number < 10');
    expect(violations({ const: 'v1' }, 'v2')[0]?.expected).toBe('the constant "v1"');
    expect(violations({ anyOf: [{ type: 'string' }, { type: 'number' }] }, true).map((x) => x.keyword)).toContain('anyOf');
  });

  it('truncates long values it reports', () => {
    const [v] = violations({ type: 'number' }, 'x'.repeat(500));
    expect(v?.got.length).toBeLessThanOrEqual(81);
    expect(v?.got.endsWith('…')).toBe(true);
  });

  it('writes a message from the first few violations in a fixed pattern', () => {
    const v = violations(invoice, { items: 'none', status: 1, note: 2 });
    const text = describeViolations(v, 2);
    expect(text).toMatch(/^\$(\.\w+)?: expected [^;]+, got [^;]+; \$(\.\w+)?: expected [^;]+, got [^;]+; and \d+ more$/);
  });

  it('reads draft 2020-12 and draft-04 schemas, and keeps schemas sharing an $id apart', () => {
    expect(violations({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'array', prefixItems: [{ type: 'number' }] }, ['x'])[0]?.path).toBe('$[0]');
    expect(violations({ $schema: 'http://json-schema.org/draft-04/schema#', type: 'string' }, 1)[0]?.expected).toBe('type string');
    expect(violations({ $id: 'https://example.com/a', type: 'string' }, 'ok')).toEqual([]);
    expect(violations({ $id: 'https://example.com/a', type: 'number' }, 'ok')[0]?.expected).toBe('type number');
  });

  it('returns an invalid schema as an error instead of throwing, and caches by schema text', () => {
    expect(compileSchema({ type: 'strin' }).ok).toBe(false);
    expect(compileSchema({ $ref: 'https://example.com/elsewhere.json' }).ok).toBe(false);
    const a = cachedSchema({ type: 'object', properties: { x: { type: 'number' } } });
    const b = cachedSchema({ type: 'object', properties: { x: { type: 'number' } } });
    expect(a).toBe(b);
  });
});
