export { inferTemplate, extractSlots, renderTemplate, placeholdersOf, templateText, templateMatcher, promptTokens, type PromptTemplate, type TemplatePart } from './template.ts';
export { ensureObservedVersion, listPromptVersions, createPromptVersion, promptAuditTrail, type NewVersion, type ComponentPromptsView } from './versions.ts';
export { parseTemplateText } from './template.ts';
export { movePromptPointer, type PointerMove, type MoveResult } from './pointers.ts';
export { createLivePrompts, type LivePrompts, type LiveComponent, type LiveVersion } from './live-prompts.ts';
export { compareFailureRates, type ArmCounts, type SequentialResult } from './sequential-test.ts';
export { monitorCanaries, decide, type CanaryDecision, type ArmStats } from './canary-monitor.ts';
export { registerHotswapHandlers } from './register.ts';
