import { describe, expect, it } from 'vitest';
import { diagnoseByCues, diagnoseByKind } from './classify.ts';
import { remedyFor } from './remedy.ts';

describe('diagnosis without a model', () => {
  it('is behavioral by construction for format and rule kinds, operational for upstream errors, open for judge and feedback', () => {
    for (const kind of ['format', 'schema', 'tool', 'truncation', 'empty', 'rule', 'refusal']) expect(diagnoseByKind(kind, 'r')?.diagnosis).toBe('behavioral');
    expect(diagnoseByKind('error', 'upstream')?.diagnosis).toBe('operational');
    expect(diagnoseByKind('judge', 'judge:r1')).toBeNull();
    expect(diagnoseByKind('feedback', 'feedback:negative')).toBeNull();
  });

  it('reads cues conservatively: knowledge only when its cues clearly dominate, never confidently, unknown without cues', () => {
    const k = diagnoseByCues([
      'It invented a product name that does not exist.',
      'The answer states an incorrect figure for the tax rate.',
      'Outdated: this API was deprecated two versions ago.',
    ]);
    expect(k).toMatchObject({ diagnosis: 'knowledge', source: 'fallback' });
    expect(k.confidence).toBeLessThanOrEqual(0.7);
    expect(k.reasons.length).toBeGreaterThan(0);
    const b = diagnoseByCues(['Far too verbose for a one-line answer.', 'Ignored the instruction to answer in JSON format.', 'The tone is rude.']);
    expect(b.diagnosis).toBe('behavioral');
    expect(diagnoseByCues(['meh', 'not good']).diagnosis).toBe('unknown');
    // Mixed evidence is not called either way.
    expect(diagnoseByCues(['Too verbose.', 'It invented a citation.']).diagnosis).toBe('unknown');
  });
});

describe('remedy', () => {
  const base = { confidence: 0.9, fineTuneConfidence: 0.75 };
  it('recommends the cheapest remedy that can work, only for systematic or regressed patterns', () => {
    expect(remedyFor({ ...base, diagnosis: 'behavioral', status: 'systematic' })).toBe('prompt');
    expect(remedyFor({ ...base, diagnosis: 'knowledge', status: 'systematic' })).toBe('finetune');
    expect(remedyFor({ ...base, diagnosis: 'knowledge', confidence: 0.6, status: 'regressed' })).toBe('prompt_then_finetune');
    expect(remedyFor({ ...base, diagnosis: 'unknown', status: 'systematic' })).toBe('prompt_then_finetune');
    expect(remedyFor({ ...base, diagnosis: 'operational', status: 'systematic' })).toBe('watch');
    for (const status of ['emerging', 'resolved']) expect(remedyFor({ ...base, diagnosis: 'behavioral', status })).toBe('watch');
  });
});
