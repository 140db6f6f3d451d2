import path from 'node:path';
import { ConfigError, type ComponentSettings, type Config } from '../config/index.ts';
import { builtInChecks, compileRule, compileRulesIsolated, type CompiledRules, type RuleError } from './checks/index.ts';
import type { CallView, FailureDraft } from './types.ts';

/** A rule error with the component whose rule it is (see RuleError). */
export interface ComponentRuleError extends RuleError {
  component: string;
  callId: string;
}

/** Where rule modules are resolved from: the config file's folder (or the working directory). */
function rulesBaseDir(config: Config): string {
  return config.env.FIXPOINT_CONFIG ? path.dirname(path.resolve(config.env.FIXPOINT_CONFIG)) : process.cwd();
}

/**
 * The built-in checks and a component's declared rules as one function: what production detection
 * runs on each call, and what the optimizer scores replays with. It never rejects: a rule that
 * cannot load or fails on a call is told to `onRuleError` and the call is judged by the rest, so one
 * bad rule never blocks the other rules, nor the calls of other components.
 */
export function createCallChecker(config: Config, onRuleError: (err: ComponentRuleError) => void = () => {}): (view: CallView) => Promise<FailureDraft[]> {
  const baseDir = rulesBaseDir(config);
  const compiled = new Map<string, Promise<CompiledRules>>();
  const rulesFor = (name: string, settings: ComponentSettings | undefined): Promise<CompiledRules> | null => {
    if (!settings || settings.rules.length === 0) return null;
    let c = compiled.get(name);
    if (!c) {
      c = compileRulesIsolated(settings.rules, { baseDir });
      compiled.set(name, c);
    }
    return c;
  };
  return async (view) => {
    const drafts = builtInChecks(view);
    const rules = rulesFor(view.component, config.file.components[view.component]);
    if (rules) drafts.push(...(await (await rules).check(view, (e) => onRuleError({ ...e, component: view.component, callId: view.id }))));
    return drafts;
  };
}

/**
 * Builds every declared rule once — custom modules imported, schemas compiled — and throws a
 * ConfigError naming the field and the module's path when one cannot be built. Serve and worker run
 * it at start, so a missing module stops the start instead of every later detection job.
 */
export async function checkDeclaredRules(config: Config): Promise<void> {
  const baseDir = rulesBaseDir(config);
  const problems: string[] = [];
  for (const [component, settings] of Object.entries(config.file.components)) {
    for (const [i, rule] of settings.rules.entries()) {
      try {
        await compileRule(rule, baseDir);
      } catch (err) {
        const field = `components.${component}.rules.${i}${rule.type === 'custom' ? '.module' : ''}`;
        const message = (err instanceof Error ? err.message : String(err)).replace(`rule ${rule.id}: `, '');
        problems.push(`FIXPOINT_CONFIG ${field} (rule ${rule.id}): ${message}`);
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(problems.join('; '));
}
