/**
 * Shared: what a call is scored with — the built-in checks, a component's declared rules, the LLM
 * judge, and loading recorded calls. Used by detection (production traffic), optimization (replays
 * of candidate prompts) and fine-tuning (evaluating a tuned model) alike.
 */
export { failureKinds, type FailureKind, type CallView, type FailureDraft } from './types.ts';
export { checkDeclaredRules, createCallChecker, type ComponentRuleError } from './check-call.ts';
export { reportRuleErrors } from './report-rule-errors.ts';
export { DETECTED_ROUTES, isDetectedRoute } from './detected-routes.ts';
export { loadCalls, toCallView } from './load-calls.ts';
export { builtInChecks, compileRules, outputOf, type CompiledRules, type RuleError, type OutputView, type CustomCheck, type CustomFinding, type CustomResult } from './checks/index.ts';
export * from './judge/index.ts';
export { judgeGate, mcnemarOneSided, growthOf, type GateInput, type GateOutcome } from './paired-gate.ts';
export { replayChat, type Replay, type ReplayDeps } from './replay-call.ts';
