import { describe, expect, it } from 'vitest';
import { callColumns, reviveRecord, type FinalRecord } from './finalize.ts';

describe('reviving spooled records', () => {
  const record = (values: (string | null)[]): FinalRecord => ({ id: 'c1', component: 'x', startedAt: 1, clientKeyHash: null, provider: 'openai', model: 'm', values, prompts: [] });

  it('takes a record of the current columns as it is', () => {
    const values = callColumns.map((_, i) => `v${i}`);
    expect(reviveRecord(record(values)).values).toEqual(values);
  });

  it('pads a record spooled before the attempts column with null (a spool written by the previous version replays)', () => {
    const before = callColumns.indexOf('attempts');
    const values = callColumns.slice(0, before).map((_, i) => `v${i}`);
    const revived = reviveRecord(JSON.parse(JSON.stringify(record(values))) as unknown);
    expect(revived.values).toHaveLength(callColumns.length);
    expect(revived.values[before]).toBeNull();
    expect(revived.values.slice(0, before)).toEqual(values);
  });

  it('refuses a record of an unknown shape', () => {
    expect(() => reviveRecord(record(['only', 'two']))).toThrow(/unknown shape/);
  });
});
