/** Systematic or random: statistics over a pattern's counts. */

/** Lower bound of the Wilson score interval for a binomial proportion; 0 when there are no trials. */
export function wilsonLowerBound(successes: number, trials: number, z = 1.96): number {
  if (trials <= 0) return 0;
  const p = Math.min(Math.max(successes / trials, 0), 1);
  const z2 = z * z;
  const centre = p + z2 / (2 * trials);
  const spread = z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return Math.max(0, (centre - spread) / (1 + z2 / trials));
}

export interface PatternCounts {
  /** Failures of the pattern in the period judged. */
  failures: number;
  /** Calls of the pattern's component in that period. */
  calls: number;
  /** Per window (e.g. consecutive hours or days): the pattern's failures and the component's calls. */
  windows: { count: number; calls: number }[];
  distinctSessions: number;
  distinctUsers: number;
}

export interface SystematicThresholds {
  /** Below this many failures, or this many calls of the component, a share means nothing yet. */
  minFailures: number;
  minCalls: number;
  /** The Wilson lower bound of failures/calls must reach this share of the component's calls. */
  minRate: number;
  /** z of the Wilson bound (1.96 ≈ 95 %). */
  z: number;
  /** The pattern must occur in at least this many windows. */
  minWindows: number;
  /** …and in at least this many windows, or this share of the windows given, whichever is smaller. */
  minWindowShare: number;
  /** It must span at least this many sessions, or at least `minUsers` users. */
  minSessions: number;
  minUsers: number;
}

export const defaultSystematicThresholds: SystematicThresholds = {
  minFailures: 10,
  minCalls: 100,
  minRate: 0.005,
  z: 1.96,
  minWindows: 2,
  minWindowShare: 0.5,
  minSessions: 5,
  minUsers: 3,
};

export type SystematicCondition = 'volume' | 'rate' | 'recurrence' | 'spread';

/** The conditions about how much evidence there is: when one is unmet, an earlier flag no longer stands. */
const evidenceConditions: readonly string[] = ['volume', 'rate'] satisfies SystematicCondition[];

/** Whether a verdict's unmet conditions leave the evidence standing (only recurrence or spread lapsed, or none). */
export function evidenceHolds(unmet: readonly string[]): boolean {
  return !unmet.some((u) => evidenceConditions.includes(u));
}

export interface SystematicVerdict {
  systematic: boolean;
  /** Wilson lower bound of the pattern's share of the component's calls. */
  rateLowerBound: number;
  windowsSeen: number;
  /** Which conditions failed: 'volume' (too few failures or calls to judge), 'rate', 'recurrence', 'spread'. */
  unmet: SystematicCondition[];
}

/**
 * A pattern is systematic when there are enough failures and calls to judge, its rate is confidently
 * above the threshold, it recurs across windows, and it spans sessions or users.
 */
export function isSystematic(counts: PatternCounts, thresholds: SystematicThresholds = defaultSystematicThresholds): SystematicVerdict {
  const rateLowerBound = wilsonLowerBound(counts.failures, counts.calls, thresholds.z);
  const windowsSeen = counts.windows.filter((w) => w.count > 0).length;
  const neededWindows = Math.min(thresholds.minWindows, Math.max(1, Math.ceil(counts.windows.length * thresholds.minWindowShare)));
  const unmet: SystematicVerdict['unmet'] = [];
  if (counts.failures < thresholds.minFailures || counts.calls < thresholds.minCalls) unmet.push('volume');
  if (rateLowerBound < thresholds.minRate) unmet.push('rate');
  if (windowsSeen < neededWindows) unmet.push('recurrence');
  if (counts.distinctSessions < thresholds.minSessions && counts.distinctUsers < thresholds.minUsers) unmet.push('spread');
  return { systematic: unmet.length === 0, rateLowerBound, windowsSeen, unmet };
}
