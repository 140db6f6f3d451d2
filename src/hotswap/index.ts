export { inferTemplate, extractSlots, renderTemplate, placeholdersOf, templateText, templateMatcher, promptTokens, type PromptTemplate, type TemplatePart } from './template.ts';
export { ensureObservedVersion, listPromptVersions, createPromptVersion, promptAuditTrail, type NewVersion, type ComponentPromptsView } from './versions.ts';
