import { describe, expect, it } from 'vitest';
import { judgeGate, mcnemarOneSided } from '../evaluate/index.ts';
import { protectedSections, rejectCandidate } from './guards.ts';

const settings = { margin: 0.1, alpha: 0.05, regressionTolerance: 0.02, maxGrowth: 0.5 };
const pairs = (n: number, current: boolean, candidate: boolean) => Array.from({ length: n }, () => ({ current, candidate }));

describe('gate acceptance', () => {
  it('computes the exact one-sided McNemar p-value', () => {
    expect(mcnemarOneSided(0, 0)).toBe(1);
    expect(mcnemarOneSided(5, 0)).toBeCloseTo(1 / 32, 10);
    expect(mcnemarOneSided(6, 1)).toBeCloseTo(8 / 128, 10);
  });

  it('accepts a significant fall of the failure rate that keeps the regression set and the length', () => {
    const g = judgeGate({ pattern: [...pairs(10, false, true), ...pairs(2, false, false)], regression: pairs(10, true, true), currentLength: 100, candidateLength: 130, settings });
    expect(g).toMatchObject({ accepted: true, reasons: [] });
  });

  it('refuses small or insignificant gains, regressions and growth, saying why', () => {
    expect(judgeGate({ pattern: [...pairs(2, false, true), ...pairs(18, false, false)], regression: [], currentLength: 100, candidateLength: 100, settings }).reasons.join()).toMatch(/not significant/);
    expect(judgeGate({ pattern: pairs(10, false, true), regression: [...pairs(12, true, true), ...pairs(8, true, false)], currentLength: 100, candidateLength: 100, settings }).reasons.join()).toMatch(/regression pass rate fell 40.0 points \(8 lost, 0 won, p = 0.004\)/);
    expect(judgeGate({ pattern: pairs(10, false, true), regression: [], currentLength: 100, candidateLength: 200, settings }).reasons.join()).toMatch(/grew 100 %/);
  });
});

describe('gate regression, judged on the pairs', () => {
  it('accepts a real fix despite one case of replay noise on a small regression set (16/16 → 15/16)', () => {
    const g = judgeGate({ pattern: pairs(7, false, true), regression: [...pairs(15, true, true), ...pairs(1, true, false)], currentLength: 100, candidateLength: 110, settings });
    expect(g).toMatchObject({ accepted: true, reasons: [] });
    expect(g.regressionPassRate.candidate).toBeCloseTo(15 / 16, 10);
    expect(g.regressionPValue).toBeCloseTo(0.5, 10);
  });

  it('accepts noise that goes both ways, and refuses a loss that is both large and beyond chance', () => {
    const both = [...pairs(30, true, true), ...pairs(3, true, false), ...pairs(2, false, true), ...pairs(5, false, false)];
    expect(judgeGate({ pattern: pairs(10, false, true), regression: both, currentLength: 100, candidateLength: 100, settings }).accepted).toBe(true);
    const lost = [...pairs(30, true, true), ...pairs(6, true, false), ...pairs(4, false, false)];
    const g = judgeGate({ pattern: pairs(10, false, true), regression: lost, currentLength: 100, candidateLength: 100, settings });
    expect(g.accepted).toBe(false);
    expect(g.reasons.join()).toMatch(/regression pass rate fell 15.0 points \(6 lost, 0 won, p = 0.016\)/);
  });
});

describe('gate, net over the traffic', () => {
  it("accepts a candidate that fixes more of the pattern's calls than it breaks of the others, weighed by the pattern's share", () => {
    // A length pattern on 60 % of the calls: the candidate fixes 12 of 20 of its cases and makes 8 of 20 others too long.
    const g = judgeGate({ pattern: [...pairs(12, false, true), ...pairs(8, false, false)], regression: pairs(20, true, true), others: [...pairs(12, true, true), ...pairs(8, true, false)], patternShare: 0.6, currentLength: 100, candidateLength: 120, settings });
    expect(g.netFall).toBeCloseTo(0.6 * 0.6 - 0.4 * 0.4, 10);
    expect(g).toMatchObject({ accepted: true, reasons: [] });
  });

  it('refuses one that fixes a rare pattern by bringing its failure to most other calls', () => {
    const g = judgeGate({ pattern: pairs(10, false, true), regression: pairs(20, true, true), others: [...pairs(5, true, true), ...pairs(15, true, false)], patternShare: 0.1, currentLength: 100, candidateLength: 100, settings });
    expect(g.accepted).toBe(false);
    expect(g.inconclusive).toBe(false);
    expect(g.reasons.join()).toMatch(/over the component's traffic the pattern's rate would not fall \(-57.5 points\)/);
  });
});

describe('candidate guards', () => {
  const current = 'Route tickets for {{slot1}}. Answer with one label.';
  it('rejects a template that drops or adds a slot, grows too much, or copies case text', () => {
    expect(rejectCandidate('Route tickets. Answer with one label.', current, ['slot1'], [], 1)).toMatch(/drops slot/);
    expect(rejectCandidate('Route {{slot1}} {{slot9}}.', current, ['slot1'], [], 1)).toMatch(/adds slot/);
    expect(rejectCandidate(`${current} ${'More words. '.repeat(20)}`, current, ['slot1'], [], 0.5)).toMatch(/grows/);
    // A short prompt may always grow by the character allowance: stating the contract can double it.
    const contract = `${current} Reply with exactly one of, in lowercase: billing, technical, account. Write only the label, nothing else.`;
    expect(rejectCandidate(contract, current, ['slot1'], [], 0.5)).toMatch(/grows 208 % \(bound 50 % or 0 characters\)/);
    expect(rejectCandidate(contract, current, ['slot1'], [], 0.5, 400)).toBeNull();
    expect(rejectCandidate(`${contract} ${'More words. '.repeat(40)}`, current, ['slot1'], [], 0.5, 400)).toMatch(/grows \d+ % \(bound 50 % or 400 characters\)/);
    const caseText = 'my invoice from march shows a double charge on the premium plan';
    expect(rejectCandidate(`${current} If my invoice from march shows a double charge on the premium plan, say billing.`, current, ['slot1'], [caseText], 2)).toMatch(/copies case text/);
    expect(rejectCandidate('Route tickets for {{slot1}}. Reply with exactly one of: billing, technical, account.', current, ['slot1'], [caseText], 1)).toBeNull();
  });

  it('keeps protected sections: code blocks and the output-format section, verbatim', () => {
    const withContract = 'Extract the order for {{slot1}}.\n\n## Output format\nJSON with keys sku and quantity.\n\n## Tone\nBe brief.\n```json\n{"sku": "string"}\n```';
    expect(protectedSections(withContract)).toEqual(['```json\n{"sku": "string"}\n```', '## Output format\nJSON with keys sku and quantity.']);
    const rewordedTone = withContract.replace('Be brief.', 'Be brief and exact.');
    expect(rejectCandidate(rewordedTone, withContract, ['slot1'], [], 1)).toBeNull();
    expect(rejectCandidate(withContract.replace('sku and quantity', 'sku, quantity and price'), withContract, ['slot1'], [], 1)).toMatch(/changes a protected section \("## Output format"\)/);
    expect(rejectCandidate(withContract.replace('"string"', '"number"'), withContract, ['slot1'], [], 1)).toMatch(/protected section/);
  });
});
