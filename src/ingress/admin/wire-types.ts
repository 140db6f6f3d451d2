import type { z } from 'zod';
import type { optimizationDetailResponse, optimizationListResponse } from './optimizations-api.ts';
import type { patternDetailResponse, patternListResponse } from './patterns-api.ts';
import type { componentPromptsResponse } from './prompts-api.ts';
import type { recommendationDetailResponse, recommendationSchema } from './recommendation-schemas.ts';

/** What clients of the admin API (the command line, the demo) read, typed by the schemas the API answers by. */
export type PatternWire = z.output<typeof patternListResponse>['data'][number];
export type PatternDetailWire = z.output<typeof patternDetailResponse>;
export type OptimizationRunWire = z.output<typeof optimizationDetailResponse>;
export type OptimizationRunSummaryWire = z.output<typeof optimizationListResponse>['data'][number];
export type ComponentPromptsWire = z.output<typeof componentPromptsResponse>;
export type RecommendationWire = z.output<typeof recommendationSchema>;
export type RecommendationDetailWire = z.output<typeof recommendationDetailResponse>;
