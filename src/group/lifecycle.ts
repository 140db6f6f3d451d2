import type { PatternStatus } from '../db/index.ts';

export { patternStatuses, type PatternStatus } from '../db/index.ts';

export interface LifecycleInput {
  status: PatternStatus;
  systematic: boolean;
  /** No failure for the resolve period, while the component had calls in it. */
  quietWithTraffic: boolean;
  /** Failures in the last 24 hours. */
  recentFailures: number;
}

/** The next status. A systematic pattern stays so until it goes quiet (no flapping on one slow hour). */
export function nextStatus(p: LifecycleInput): PatternStatus {
  switch (p.status) {
    case 'emerging':
      return p.systematic ? 'systematic' : 'emerging';
    case 'systematic':
    case 'regressed':
      return p.quietWithTraffic ? 'resolved' : p.status;
    case 'resolved':
      return p.systematic && p.recentFailures > 0 ? 'regressed' : 'resolved';
  }
}
