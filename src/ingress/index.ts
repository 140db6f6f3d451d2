export { createApp, createRequestListener } from './app.ts';
export type { IngressDeps } from './deps.ts';
export type { CallSink } from './proxy/call-context.ts';
export { createKeyHasher } from './client-auth.ts';
export { metricsAccess } from './ops-routes.ts';
export type { ComponentPromptsWire, OptimizationRunSummaryWire, OptimizationRunWire, PatternDetailWire, PatternWire, RecommendationDetailWire, RecommendationWire } from './admin/wire-types.ts';
