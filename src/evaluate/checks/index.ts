export { outputOf, type OutputView } from './output-view.ts';
export { builtInChecks } from './built-in-checks.ts';
export { compileRule, compileRules, compileRulesIsolated, type CompiledRules, type RuleError } from './compile-rules.ts';
export type { CustomCheck, CustomFinding, CustomResult } from './custom-rule.ts';
