import type { Db, ExampleCounts } from '../../db/index.ts';
import { tallyTrustedCases } from './case-queries.ts';

export interface TrustedExampleCounts extends ExampleCounts {
  /**
   * With a teacher configured: the failing calls with neither a correction nor a later passing call,
   * for which the teacher may give a target. Not trusted (not in `trusted` nor `bySource.teacher`)
   * until the teacher's answer passes the component's checks and judge, which only building tells.
   */
  teacherEligible: number;
  /** Failing chat calls of the patterns, each counted once. */
  failingCalls: number;
}

export interface CountOptions {
  component: string;
  patternIds: readonly string[];
  /** Whether `retrain.teacher` is set. */
  teacher: boolean;
  /** `retrain.minExamples`: `missing` is how far `trusted` falls short of it (0 when not given). */
  minExamples?: number;
}

/**
 * The candidate patterns' failing calls that have a trusted target, by source (a call counts once,
 * under its most trusted source: correction, then later_prompt). One query.
 */
export async function countTrustedExamples(db: Db, opts: CountOptions): Promise<TrustedExampleCounts> {
  const t = await tallyTrustedCases(db, opts.component, opts.patternIds);
  const trusted = t.correction + t.later_prompt;
  return {
    trusted,
    bySource: { correction: t.correction, later_prompt: t.later_prompt, teacher: 0 },
    missing: Math.max(0, (opts.minExamples ?? 0) - trusted),
    teacherEligible: opts.teacher ? t.untargeted : 0,
    failingCalls: trusted + t.untargeted,
  };
}
