export { openDatabase, migrationsFolder, type Database, type Db, type Statement } from './client.ts';
export * as schema from './schema/index.ts';
export { calls, prompts, failures, judgeVerdicts, feedback, callEvaluations, type CallRow, type CallSelect } from './schema/index.ts';
export { patterns, patternEvents, groupingState, type PatternRow, type StoredCentroid, type StoredPatternStats } from './schema/index.ts';
export { promptVersions, componentPrompts, promptAudit, type PromptVersionRow } from './schema/index.ts';
export { optimizationRuns, type OptimizationRunRow, type StoredCandidate } from './schema/index.ts';
export { rowsOf } from './rows.ts';
export { isDatabaseUnavailable, isUniqueViolation, surviveLeakedDatabaseErrors } from './unavailable.ts';
