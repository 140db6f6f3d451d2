/**
 * The true label of every failure the gateway stored: the problem that caused it, or `noise:<call>` for
 * a one-off (a glitch, a judge's false alarm, a grumpy user). The same call's rule violation, judge
 * verdict and thumbs-down about one problem all carry that problem's label.
 */
import type { CallRecord } from './driver.ts';
import type { Simulation } from './simulation.ts';
import { GLITCH } from './types.ts';

export interface StoredFailure {
  id: string;
  call_id: string;
  component: string;
  kind: string;
  rule_id: string;
  rationale: string | null;
  pattern_id: string | null;
}

/** The label of a stored failure; null when the call is not the fleet's (it never is). */
export function trueLabel(f: StoredFailure, calls: ReadonlyMap<string, CallRecord>, sim: Simulation): string | null {
  const call = calls.get(f.call_id);
  if (!call) return null;
  const noise = `noise:${f.call_id}`;
  const real = (cause: string | null | undefined): string => (cause && cause !== GLITCH && cause !== 'noise' && sim.world.problem(cause) ? cause : noise);
  switch (f.kind) {
    case 'rule': {
      const problem = sim.world.component(call.component).problems.find((p) => p.ruleIds.includes(f.rule_id) && call.causes.includes(p.id));
      return problem ? problem.id : noise;
    }
    case 'judge':
      return real(f.rationale === null ? null : sim.causeOfRationale(f.rationale));
    case 'feedback':
      return real(call.feedback?.cause);
    default:
      return noise; // built-in checks: truncation, empty, ... only glitches trip them here
  }
}
