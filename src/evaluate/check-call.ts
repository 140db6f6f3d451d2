import path from 'node:path';
import type { ComponentSettings, Config } from '../config/index.ts';
import { builtInChecks, compileRules, type CompiledRules } from './checks/index.ts';
import type { CallView, FailureDraft } from './types.ts';

/**
 * The built-in checks and a component's declared rules as one function: what production detection
 * runs on each call, and what the optimizer scores replays with.
 */
export function createCallChecker(config: Config): (view: CallView) => Promise<FailureDraft[]> {
  const baseDir = config.env.FIXPOINT_CONFIG ? path.dirname(path.resolve(config.env.FIXPOINT_CONFIG)) : process.cwd();
  const compiled = new Map<string, Promise<CompiledRules>>();
  const rulesFor = (name: string, settings: ComponentSettings | undefined): Promise<CompiledRules> | null => {
    if (!settings || settings.rules.length === 0) return null;
    let c = compiled.get(name);
    if (!c) {
      c = compileRules(settings.rules, { baseDir });
      compiled.set(name, c);
    }
    return c;
  };
  return async (view) => {
    const drafts = builtInChecks(view);
    const rules = rulesFor(view.component, config.file.components[view.component]);
    if (rules) drafts.push(...(await (await rules).check(view)));
    return drafts;
  };
}
