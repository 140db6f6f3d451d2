import { and, desc, eq } from 'drizzle-orm';
import { optimizationRuns, type Db } from '../db/index.ts';
import type { DiagnosisResult } from './classify.ts';

/** A prompt optimization run that compared candidates with the current prompt and found none that fixes the pattern. */
export interface FailedPromptRun {
  id: string;
  result: string | null;
}

/** The pattern's judged "could not fix" runs, newest first (inconclusive ones are not evidence). */
export async function failedPromptRuns(db: Db, patternId: string): Promise<FailedPromptRun[]> {
  return db
    .select({ id: optimizationRuns.id, result: optimizationRuns.result })
    .from(optimizationRuns)
    .where(and(eq(optimizationRuns.patternId, patternId), eq(optimizationRuns.outcome, 'could_not_fix')))
    .orderBy(desc(optimizationRuns.createdAt));
}

/** Confidence of a knowledge diagnosis made by escalation: above the default fine-tuning bar (0.75). */
export const ESCALATION_CONFIDENCE = 0.9;

/**
 * The seed's rule: a problem that prompt optimization could not fix, with enough cases to judge, is
 * evidence that the model lacks something. Each judged failure is a reason on the diagnosis; from
 * `after` of them on, the diagnosis is knowledge (with confidence enough for fine-tuning), whatever
 * the examples suggested.
 */
export function withEscalation(result: DiagnosisResult, runs: readonly FailedPromptRun[], after: number): DiagnosisResult {
  if (runs.length === 0) return result;
  const latest = runs[0]!;
  const why = `prompt optimization could not fix it in ${runs.length} judged run${runs.length === 1 ? '' : 's'} (latest ${latest.id}: ${latest.result ?? 'no result'})`;
  if (runs.length < after) {
    const left = after - runs.length;
    return { ...result, reasons: [...result.reasons, `${why}; ${left} more and fine-tuning is recommended`] };
  }
  const earlier = result.diagnosis === 'knowledge' ? result.reasons : result.reasons.map((r) => `before escalation (${result.diagnosis}): ${r}`);
  return {
    diagnosis: 'knowledge',
    confidence: Math.max(ESCALATION_CONFIDENCE, result.diagnosis === 'knowledge' ? result.confidence : 0),
    reasons: [`${why}: the model lacks something a prompt cannot give`, ...earlier],
    source: 'escalation',
  };
}
