import { describe, expect, it } from 'vitest';
import { isoTime, toWire, type Wire } from './wire.ts';

describe('toWire', () => {
  it('renames keys to snake_case at every depth and writes times as ISO 8601 UTC', () => {
    const at = new Date('2026-12-06T17:17:30.235Z');
    const out = toWire({ failureCount: 3, statsAt: at, stats: { componentCalls: { h24: 1 }, share24h: 0.5, unmet: ['rateLowerBound'] }, events: [{ fromStatus: null, at }], already_snake: 1 });
    expect(out).toEqual({ failure_count: 3, stats_at: '2026-12-06T17:17:30.235Z', stats: { component_calls: { h24: 1 }, share24h: 0.5, unmet: ['rateLowerBound'] }, events: [{ from_status: null, at: '2026-12-06T17:17:30.235Z' }], already_snake: 1 });
  });

  it('turns the timestamp text Postgres sends for raw queries into ISO UTC', () => {
    expect(isoTime('2026-12-06 17:17:30.235+00')).toBe('2026-12-06T17:17:30.235Z');
    expect(isoTime('2026-12-06 18:17:30.235123+01')).toBe('2026-12-06T17:17:30.235Z');
    expect(isoTime('2026-12-06 22:47:30+05:30')).toBe('2026-12-06T17:17:30.000Z');
    expect(toWire({ lastSeen: '2026-12-06 17:17:30.235+00', note: 'seen 2026-12-06 17:17:30' })).toEqual({ last_seen: '2026-12-06T17:17:30.235Z', note: 'seen 2026-12-06 17:17:30' });
  });

  it("leaves someone else's data as it came: request and response bodies, properties, corrections", () => {
    const requestBody = { messages: [{ role: 'user', content: 'hi' }], responseFormat: { jsonSchema: {} } };
    const out = toWire({ requestBody, responseBody: { createdAt: 1 }, properties: { tenantId: 'a' }, correction: { camelCase: true } });
    expect(out).toEqual({ request_body: requestBody, response_body: { createdAt: 1 }, properties: { tenantId: 'a' }, correction: { camelCase: true } });
  });

  it('types the answer the same way (checked by tsc)', () => {
    const typed: Wire<{ failureCount: number; seenAt: Date }> = { failure_count: 1, seen_at: 'x' };
    // @ts-expect-error a camelCase key is not part of the wire type
    const camel: Wire<{ failureCount: number }> = { failureCount: 1 };
    // @ts-expect-error a time is a string on the wire, not a Date
    const date: Wire<{ seenAt: Date }> = { seen_at: new Date() };
    expect([typed, camel, date]).toHaveLength(3);
  });
});
