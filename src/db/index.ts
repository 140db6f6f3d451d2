export { openDatabase, migrationsFolder, type Database, type Db, type Statement } from './client.ts';
export * as schema from './schema/index.ts';
export { calls, prompts, failures, judgeVerdicts, feedback, callEvaluations, type CallRow, type CallSelect } from './schema/index.ts';
export { patterns, patternEvents, groupingState, type PatternRow, type StoredCentroid, type StoredPatternStats } from './schema/index.ts';
export { promptVersions, componentPrompts, promptAudit, type PromptVersionRow } from './schema/index.ts';
export { optimizationRuns, type OptimizationRunRow, type StoredCandidate } from './schema/index.ts';
export { rowsOf, uuidArray } from './rows.ts';
export { databaseErrorCode, isDatabaseUnavailable, isUniqueViolation, surviveLeakedDatabaseErrors } from './unavailable.ts';
export { migrateWhenReachable, type MigrationRetry, type SchemaMigrations } from './schema-migrations.ts';
export { failureKinds, type FailureKind } from './schema/index.ts';
export { patternStatuses, diagnoses, remedies, type PatternStatus, type Diagnosis, type Remedy } from './schema/index.ts';
export { optimizationRunStatuses, optimizationTriggers, optimizationOutcomes, type OptimizationRunStatus, type OptimizationTrigger, type OptimizationOutcome } from './schema/index.ts';
export {
  finetuneRecommendations, recommendationEvents, finetuneDatasets, trainingJobs,
  recommendationStatuses, liveRecommendationStatuses, candidateReasons, targetSources, trainingJobStatuses, finishedTrainingStatuses, trainingBackends,
  type RecommendationStatus, type CandidateReason, type TargetSource, type TrainingJobStatus, type TrainingBackendName,
  type RecommendedPattern, type ExampleCounts, type RecommendationArithmetic, type RecommendationRow, type RecommendationJson, type DatasetRow, type TrainingJobRow,
  type StoredJobEvent, type StoredCheckpoint,
} from './schema/index.ts';
export { moveRecommendation, type RecommendationMove } from './recommendation-moves.ts';
