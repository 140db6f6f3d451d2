import { and, eq, gt, sql } from 'drizzle-orm';
import { newUuidV7 } from '../core/ids.ts';
import { judgeVerdicts, type Db } from '../db/index.ts';
import type { JobContext } from '../jobs/index.ts';
import { UpstreamHttpError } from '../providers/index.ts';
import type { DetectDeps } from './deps.ts';
import { JudgeOutputError, loadCalls, rubricVersionOf, runJudge } from '../evaluate/index.ts';
import { storeFailures } from './store-failures.ts';


async function spentLastHour(db: Db, component: string): Promise<number> {
  const [row] = await db
    .select({ total: sql<string | number | null>`coalesce(sum(${judgeVerdicts.costUsd}), 0)` })
    .from(judgeVerdicts)
    .where(and(eq(judgeVerdicts.component, component), gt(judgeVerdicts.createdAt, sql`now() - interval '1 hour'`)));
  return Number(row?.total ?? 0);
}

/**
 * One judge.call job: idempotent (one verdict per call and rubric version), within the component's
 * hourly spend limit, retried by the job system on 429/5xx (the error is rethrown), not on a
 * request the judge refused. A failing verdict becomes a failure of kind `judge`.
 */
export function createJudgeHandler(deps: DetectDeps) {
  return async (payload: { callId: string; component: string; rubricVersion: string }, ctx: JobContext): Promise<void> => {
    const judge = deps.config.file.components[payload.component]?.judge;
    const component = deps.metrics.label.component(payload.component);
    if (!judge || rubricVersionOf(judge) !== payload.rubricVersion) return; // the rubric changed since: a new version judges new calls
    const existing = await deps.db.select({ id: judgeVerdicts.id }).from(judgeVerdicts).where(and(eq(judgeVerdicts.callId, payload.callId), eq(judgeVerdicts.rubricVersion, payload.rubricVersion)));
    if (existing.length > 0) return;
    if ((await spentLastHour(deps.db, payload.component)) >= judge.maxSpendUsdPerHour) {
      deps.metrics.judgeCalls.labels(component, 'skipped_spend_limit').inc();
      deps.logger.warn({ jobId: ctx.jobId, callId: payload.callId, component: payload.component }, 'judge spend limit reached for this hour; call not judged');
      return;
    }
    const [loaded] = await loadCalls(deps.db, [payload.callId]);
    if (!loaded) return;
    let outcome;
    try {
      outcome = await runJudge({ registry: deps.registry, prices: deps.prices }, judge, loaded.view, ctx.signal);
    } catch (err) {
      const retryable = err instanceof UpstreamHttpError ? err.retryable : !(err instanceof JudgeOutputError) || ctx.attempt < 2;
      deps.metrics.judgeCalls.labels(component, err instanceof JudgeOutputError ? 'invalid_verdict' : 'error').inc();
      if (err instanceof JudgeOutputError && err.costUsd) deps.metrics.judgeSpend.labels(component).inc(err.costUsd);
      if (retryable) throw err;
      deps.logger.warn({ err, jobId: ctx.jobId, callId: payload.callId }, 'judge call failed for good; call not judged');
      return;
    }
    const { verdict } = outcome;
    const failed = !verdict.pass;
    // One transaction: a verdict is never visible (or retried into a conflict) without its failure.
    const inserted = await deps.db.transaction(async (tx) => {
      const rows = await tx
        .insert(judgeVerdicts)
        .values({
          id: newUuidV7(),
          callId: payload.callId,
          component: payload.component,
          rubricVersion: payload.rubricVersion,
          judgeModel: outcome.judgeModel,
          pass: verdict.pass,
          score: verdict.score,
          failedCriteria: verdict.failed_criteria,
          rationale: verdict.rationale,
          inputTokens: outcome.inputTokens,
          outputTokens: outcome.outputTokens,
          costUsd: outcome.costUsd,
          latencyMs: outcome.latencyMs,
        })
        .onConflictDoNothing()
        .returning({ id: judgeVerdicts.id });
      if (failed && rows.length > 0) {
        await storeFailures(tx as unknown as Db, [
          {
            callId: payload.callId,
            component: payload.component,
            callStartedAt: loaded.startedAt,
            kind: 'judge',
            ruleId: `judge:${payload.rubricVersion}`,
            message: `judge failed the call (score ${verdict.score.toFixed(2)}${verdict.failed_criteria.length ? `; ${verdict.failed_criteria.join(', ')}` : ''})`,
            evidence: { score: verdict.score, failedCriteria: verdict.failed_criteria, rationale: verdict.rationale, judgeModel: outcome.judgeModel, rubricVersion: payload.rubricVersion },
          },
        ]);
      }
      return rows.length > 0;
    });
    deps.metrics.judgeCalls.labels(component, verdict.pass ? 'pass' : 'fail').inc();
    deps.metrics.judgeDuration.labels(component).observe(outcome.latencyMs / 1000);
    if (outcome.costUsd) deps.metrics.judgeSpend.labels(component).inc(outcome.costUsd);
    if (failed && inserted) deps.metrics.failures.labels(component, 'judge', deps.metrics.label.rule(`judge:${payload.rubricVersion}`)).inc();
  };
}
