export { outputOf, type OutputView } from './output-view.ts';
export { builtInChecks } from './built-in-checks.ts';
export { compileRules, type CompiledRules } from './compile-rules.ts';
export type { CustomCheck, CustomFinding, CustomResult } from './custom-rule.ts';
