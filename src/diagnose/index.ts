import type { JobSystem } from '../jobs/index.ts';
import { diagnosePattern, type DiagnoseDeps } from './diagnose-pattern.ts';

export { diagnoses, diagnoseByKind, diagnoseByCues, type Diagnosis, type DiagnosisResult } from './classify.ts';
export { remedyFor, remedies, type Remedy } from './remedy.ts';
export { DIAGNOSIS_MARKER } from './model-diagnosis.ts';
export { diagnosePattern, type DiagnoseDeps } from './diagnose-pattern.ts';

/** The diagnosis stage's job: classify a pattern (enqueued by grouping when a pattern needs it). */
export function registerDiagnoseHandlers(jobs: JobSystem, deps: DiagnoseDeps): void {
  jobs.handle(
    'diagnose.pattern',
    async ({ patternId }, ctx) => {
      const r = await diagnosePattern(deps, patternId, ctx.signal);
      if (r) deps.logger.debug({ jobId: ctx.jobId, patternId, diagnosis: r.diagnosis, source: r.source }, 'pattern diagnosed');
    },
    { concurrency: 2 },
  );
}
