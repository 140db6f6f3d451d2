import type { Logger, Metrics } from '../telemetry/index.ts';
import type { ComponentRuleError } from './check-call.ts';

/**
 * createCallChecker's `onRuleError` for a process: every rule error is counted in
 * `fixpoint_rule_errors_total`; each rule's errors are logged at most once per `logEveryMs`, so a
 * rule that fails on every call cannot flood the log.
 */
export function reportRuleErrors(deps: { logger: Logger; metrics: Metrics }, logEveryMs = 60_000): (err: ComponentRuleError) => void {
  const lastLogged = new Map<string, number>();
  const suppressed = new Map<string, number>();
  return (e) => {
    const { metrics } = deps;
    metrics.ruleErrors.labels(metrics.label.component(e.component), metrics.label.rule(e.ruleId), e.stage).inc();
    const key = `${e.component}\u0000${e.ruleId}`;
    const now = Date.now();
    const last = lastLogged.get(key);
    if (last !== undefined && now - last < logEveryMs) {
      suppressed.set(key, (suppressed.get(key) ?? 0) + 1);
      return;
    }
    lastLogged.set(key, now);
    const since = suppressed.get(key) ?? 0;
    suppressed.delete(key);
    deps.logger.warn(
      { component: e.component, rule: e.ruleId, stage: e.stage, callId: e.callId, error: e.message, ...(since > 0 ? { alsoFailedSinceLastLog: since } : {}) },
      'rule error: the rule was skipped for this call, the other rules ran (counted in fixpoint_rule_errors_total)',
    );
  };
}
