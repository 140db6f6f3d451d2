/**
 * Paired comparison on a gate set: the same cases under the current setup and a candidate (a prompt,
 * or a tuned model), judged by one rule. Shared by prompt optimization and fine-tuning.
 */

/** How much longer the candidate's prompt is, and whether past the bound (a share, or a number of characters, whichever is more). */
export function growthOf(candidateLength: number, currentLength: number, bound: { maxGrowth: number; minGrowthChars?: number }): { growth: number; tooMuch: boolean } {
  const growth = currentLength > 0 ? candidateLength / currentLength - 1 : 0;
  const allowed = Math.max(bound.maxGrowth * currentLength, bound.minGrowthChars ?? 0);
  return { growth, tooMuch: currentLength > 0 && candidateLength - currentLength > allowed };
}

/** One-sided exact McNemar test: P(at least `improved` of the discordant pairs favour the candidate | no effect). */
export function mcnemarOneSided(improved: number, worsened: number): number {
  const n = improved + worsened;
  if (n === 0) return 1;
  // P(X >= improved), X ~ Binomial(n, 0.5), summed in log space.
  let p = 0;
  let logC = 0; // log C(n, 0)
  for (let k = 0; k <= n; k++) {
    if (k > 0) logC += Math.log(n - k + 1) - Math.log(k);
    if (k >= improved) p += Math.exp(logC - n * Math.LN2);
  }
  return Math.min(1, p);
}

export interface GateOutcome {
  accepted: boolean;
  /**
   * Refused only for want of evidence: the effect met the margin (or there were no gate cases of the
   * pattern) but was not yet significant, and nothing else was wrong. More cases may settle it.
   */
  inconclusive: boolean;
  reasons: string[];
  patternFailRate: { current: number; candidate: number };
  regressionPassRate: { current: number; candidate: number };
  pValue: number;
  /** One-sided exact McNemar p of the regression pairs: how surprising the candidate's losses are if it is no worse. */
  regressionPValue: number;
  /** Estimated fall of the pattern's failure rate over the component's traffic (points, 0–1); null without `others`. */
  netFall: number | null;
  growth: number;
}

export interface GateInput {
  /** Per pattern case in the gate set: passed under the current prompt, and under the candidate. */
  pattern: { current: boolean; candidate: boolean }[];
  /** Per regression case: free of other failures under the current prompt, and under the candidate. */
  regression: { current: boolean; candidate: boolean }[];
  /**
   * Per regression case: free of the pattern's own failure under each. Those calls were drawn from
   * the calls the pattern did not hit: a candidate may fix the pattern's cases and yet bring the same
   * failure to calls the current prompt gets right. Weighed with `patternShare`, the two sides give
   * the net change of the pattern's rate over the component's traffic.
   */
  others?: { current: boolean; candidate: boolean }[];
  /** The pattern's share of the component's calls (0–1). */
  patternShare?: number;
  currentLength: number;
  candidateLength: number;
  settings: { margin: number; alpha: number; regressionTolerance: number; maxGrowth: number; minGrowthChars?: number };
}

/**
 * Accept only when the pattern's failure rate falls by the margin with significance, the regression
 * set shows no evidence of a loss beyond the tolerance, and the prompt did not grow past its bound.
 *
 * Regression is judged on the pairs, sized to the set: a drop counts only when it exceeds the
 * tolerance AND the candidate's losses outnumber its wins beyond chance (one-sided exact McNemar at
 * `alpha`). A raw difference would reject a real fix for one case of replay noise — 16/16 → 15/16 is
 * a 6-point drop, yet one loss and no win has p = 0.5.
 */
export function judgeGate(g: GateInput): GateOutcome {
  const rate = (xs: boolean[]) => (xs.length === 0 ? 0 : xs.filter(Boolean).length / xs.length);
  const curFail = 1 - rate(g.pattern.map((c) => c.current));
  const candFail = 1 - rate(g.pattern.map((c) => c.candidate));
  const improved = g.pattern.filter((c) => !c.current && c.candidate).length;
  const worsened = g.pattern.filter((c) => c.current && !c.candidate).length;
  const pValue = mcnemarOneSided(improved, worsened);
  const regCur = rate(g.regression.map((c) => c.current));
  const regCand = rate(g.regression.map((c) => c.candidate));
  const regLost = g.regression.filter((c) => c.current && !c.candidate).length;
  const regWon = g.regression.filter((c) => !c.current && c.candidate).length;
  const regressionPValue = mcnemarOneSided(regLost, regWon);
  const { growth, tooMuch } = growthOf(g.candidateLength, g.currentLength, g.settings);
  const reasons: string[] = [];
  let judged = false;
  if (g.pattern.length === 0) reasons.push('no gate cases of the pattern');
  else if (curFail - candFail < g.settings.margin) {
    reasons.push(`failure rate fell ${((curFail - candFail) * 100).toFixed(1)} points, less than the ${(g.settings.margin * 100).toFixed(0)}-point margin`);
    judged = true;
  }
  if (pValue >= g.settings.alpha) reasons.push(`not significant (p = ${pValue.toFixed(3)})`);
  if (regCur - regCand > g.settings.regressionTolerance && regressionPValue < g.settings.alpha) {
    reasons.push(`regression pass rate fell ${((regCur - regCand) * 100).toFixed(1)} points (${regLost} lost, ${regWon} won, p = ${regressionPValue.toFixed(3)})`);
    judged = true;
  }
  const netFall = netFallOf(g);
  if (netFall !== null && netFall <= 0) {
    reasons.push(`over the component's traffic the pattern's rate would not fall (${(netFall * 100).toFixed(1)} points): the candidate brings the failure to calls the current prompt gets right`);
    judged = true;
  }
  if (tooMuch) {
    reasons.push(`prompt grew ${(growth * 100).toFixed(0)} %`);
    judged = true;
  }
  return { accepted: reasons.length === 0, inconclusive: reasons.length > 0 && !judged, reasons, patternFailRate: { current: curFail, candidate: candFail }, regressionPassRate: { current: regCur, candidate: regCand }, pValue, regressionPValue, netFall, growth };
}

/**
 * The pattern's rate over the component's traffic, current minus candidate, from two strata: its own
 * cases (share `patternShare` of the calls) and the others. Null when there are no other cases.
 */
function netFallOf(g: GateInput): number | null {
  const others = g.others ?? [];
  if (others.length === 0 || g.pattern.length === 0 || g.patternShare === undefined) return null;
  const change = (xs: { current: boolean; candidate: boolean }[]) => xs.reduce((n, c) => n + Number(c.candidate) - Number(c.current), 0) / xs.length;
  const w = Math.min(1, Math.max(0, g.patternShare));
  return w * change(g.pattern) + (1 - w) * change(others);
}
