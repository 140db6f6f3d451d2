import { describe, expect, it } from 'vitest';
import type { DiagnosisResult } from './classify.ts';
import { ESCALATION_CONFIDENCE, withEscalation } from './escalation.ts';

const behavioral: DiagnosisResult = { diagnosis: 'behavioral', confidence: 0.95, reasons: ['rule failures break the output form'], source: 'construction' };
const unsure: DiagnosisResult = { diagnosis: 'unknown', confidence: 0.3, reasons: ['no clear cue'], source: 'fallback' };
const run = (id: string) => ({ id, result: 'prompt could not fix this: no candidate beat the current prompt on the selection set' });

describe('escalation after judged "could not fix" runs', () => {
  it('changes nothing without such runs', () => {
    expect(withEscalation(behavioral, [], 2)).toBe(behavioral);
  });

  it('counts one run as a reason, saying how many more escalate', () => {
    const r = withEscalation(unsure, [run('r1')], 2);
    expect(r).toMatchObject({ diagnosis: 'unknown', confidence: 0.3, source: 'fallback' });
    expect(r.reasons.at(-1)).toMatch(/could not fix it in 1 judged run \(latest r1: .*\); 1 more and fine-tuning is recommended/);
  });

  it('turns the diagnosis to knowledge at the threshold, whatever it said, keeping what it said', () => {
    const r = withEscalation(behavioral, [run('r2'), run('r1')], 2);
    expect(r).toMatchObject({ diagnosis: 'knowledge', confidence: ESCALATION_CONFIDENCE, source: 'escalation' });
    expect(r.reasons[0]).toMatch(/could not fix it in 2 judged runs \(latest r2: .*\): the model lacks something a prompt cannot give/);
    expect(r.reasons[1]).toBe('before escalation (behavioral): rule failures break the output form');
    const confident: DiagnosisResult = { diagnosis: 'knowledge', confidence: 0.97, reasons: ['states wrong facts'], source: 'model' };
    expect(withEscalation(confident, [run('r1')], 1)).toMatchObject({ confidence: 0.97, reasons: [expect.stringMatching(/judged run/), 'states wrong facts'] });
  });
});
