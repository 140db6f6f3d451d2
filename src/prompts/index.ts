/** Shared: prompt templates, immutable prompt versions, the pointers that say which version serves, and stored prompt refs. */
export { inferTemplate, extractSlots, renderTemplate, placeholdersOf, templateText, templateMatcher, promptTokens, parseTemplateText, type PromptTemplate, type TemplatePart } from './template.ts';
export { ensureObservedVersion, listPromptVersions, createPromptVersion, promptAuditTrail, type NewVersion, type ComponentPromptsView } from './versions.ts';
export { componentsOnCanary, movePromptPointer, type PointerMove, type MoveResult } from './pointers.ts';
export { hashPrompt, dehydratePrompts, dehydratePromptsInText, hydratePrompts, promptRefsIn, type PromptText, type PromptRef } from './prompt-refs.ts';
