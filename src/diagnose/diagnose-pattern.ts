import { desc, eq, sql } from 'drizzle-orm';
import type { Config } from '../config/index.ts';
import { newUuidV7 } from '../core/ids.ts';
import { failures, patternEvents, patterns, type Db } from '../db/index.ts';
import type { ProviderRegistry } from '../providers/index.ts';
import type { Logger } from '../telemetry/index.ts';
import { diagnoseByCues, diagnoseByKind, type DiagnosisResult } from './classify.ts';
import { failedPromptRuns, withEscalation } from './escalation.ts';
import { diagnoseWithModel, type PatternExample } from './model-diagnosis.ts';
import { remedyFor } from './remedy.ts';

export interface DiagnoseDeps {
  config: Config;
  db: Db;
  registry: ProviderRegistry;
  logger: Logger;
}

/** Examples the diagnosis reads. */
const exampleCount = 12;

function explanationOf(evidence: Record<string, unknown>): string | null {
  for (const k of ['rationale', 'comment', 'detail', 'explanation']) {
    const v = evidence[k];
    if (typeof v === 'string' && v.trim()) return v.slice(0, 1500);
  }
  return null;
}

/**
 * Diagnoses one pattern and records the recommended remedy. Format and rule kinds are behavioral by
 * construction; judge and feedback patterns go to the configured model, and without one (or when it
 * fails) to the conservative cue reading. Judged "could not fix" runs of prompt optimization weigh on
 * it (escalation.ts). Idempotent: the result depends on the pattern's examples and runs.
 */
export async function diagnosePattern(deps: DiagnoseDeps, patternId: string, signal?: AbortSignal): Promise<DiagnosisResult | null> {
  const [p] = await deps.db.select().from(patterns).where(eq(patterns.id, patternId));
  if (!p || p.mergedInto) return null;
  let result = diagnoseByKind(p.kind, p.ruleId);
  if (!result) {
    const rows = await deps.db
      .select({ message: failures.message, evidence: failures.evidence, correction: failures.correction })
      .from(failures)
      .where(eq(failures.patternId, patternId))
      .orderBy(desc(failures.callStartedAt))
      .limit(exampleCount);
    const examples: PatternExample[] = rows.map((r) => ({ message: r.message, explanation: explanationOf(r.evidence), correction: r.correction ?? null }));
    const model = deps.config.file.patterns.diagnosis;
    if (model) {
      try {
        result = await diagnoseWithModel(deps.registry, model, { component: p.component, kind: p.kind, title: p.title }, examples, signal);
      } catch (err) {
        deps.logger.warn({ patternId, err: (err as Error).message }, 'diagnosis model failed; using the fallback');
      }
    }
    result ??= diagnoseByCues(examples.map((e) => [e.message, e.explanation ?? ''].join('\n')));
  }
  result = withEscalation(result, await failedPromptRuns(deps.db, patternId), deps.config.file.retrain.afterFailedPromptRuns);
  const remedy = remedyFor({ diagnosis: result.diagnosis, confidence: result.confidence, status: p.status, fineTuneConfidence: deps.config.file.patterns.fineTuneConfidence });
  await deps.db
    .update(patterns)
    .set({
      diagnosis: result.diagnosis,
      diagnosisConfidence: result.confidence,
      diagnosisReasons: result.reasons,
      diagnosisSource: result.source,
      diagnosedAt: p.failureCount,
      remedy,
      updatedAt: sql`clock_timestamp()`,
    })
    .where(eq(patterns.id, patternId));
  if (p.diagnosis !== result.diagnosis || p.remedy !== remedy) {
    await deps.db.insert(patternEvents).values({ id: newUuidV7(), patternId, type: 'diagnosed', detail: { diagnosis: result.diagnosis, confidence: result.confidence, source: result.source, remedy } });
  }
  return result;
}
