import type { PatternStatus } from '../db/index.ts';

export { patternStatuses, type PatternStatus } from '../db/index.ts';

export interface LifecycleInput {
  status: PatternStatus;
  systematic: boolean;
  /** The volume and rate conditions still hold (recurrence and spread may lapse for a slow hour). */
  evidenceHolds: boolean;
  /** No failure for the resolve period, while the component had calls in it. */
  quietWithTraffic: boolean;
  /** Failures in the last 24 hours. */
  recentFailures: number;
}

/**
 * The next status. A systematic pattern stays so until it goes quiet, and does not flap on one slow
 * hour (recurrence or spread lapsing); but when the evidence itself no longer holds — too few
 * failures or calls, or a rate no longer confidently above the threshold — it goes back to emerging.
 */
export function nextStatus(p: LifecycleInput): PatternStatus {
  switch (p.status) {
    case 'emerging':
      return p.systematic ? 'systematic' : 'emerging';
    case 'systematic':
    case 'regressed':
      if (p.quietWithTraffic) return 'resolved';
      return p.evidenceHolds ? p.status : 'emerging';
    case 'resolved':
      return p.systematic && p.recentFailures > 0 ? 'regressed' : 'resolved';
  }
}
