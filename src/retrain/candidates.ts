import { sql } from 'drizzle-orm';
import type { RetrainSettings } from '../config/index.ts';
import { rowsOf, type CandidateReason, type Db, type RecommendedPattern } from '../db/index.ts';

/** A component's fine-tuning candidates: its patterns that qualify, with why. */
export interface ComponentCandidates {
  component: string;
  patterns: RecommendedPattern[];
}

interface CandidateRow {
  id: string;
  component: string;
  title: string;
  kind: string;
  diagnosis: string | null;
  remedy: string;
  status: string;
  failures_24h: number | string | null;
  share_24h: number | string | null;
  could_not_fix: number | string;
  max_fixed_growth: number | string | null;
}

/**
 * Patterns that qualify for fine-tuning, by component. A pattern qualifies when it is systematic
 * (or regressed) and (a) its remedy is `finetune`, or (b) prompt optimization judged it could not
 * fix it `afterFailedPromptRuns` times (a judged comparison, not "too few cases"), whatever the
 * diagnosis said; or (c) an accepted prompt fixed it only by growing past `bakeGrowth` — such a
 * pattern may have gone quiet since (the long prompt holds it down), so (c) asks only that it is live
 * (not merged) and was fixed within the last 30 days.
 *
 * A pattern merged into another hands it its evidence: the runs on it count for the pattern it was
 * merged into (as its failures moved there), and so does a recommendation that ended on it (the
 * cooldown) — except one the sweep dismissed by itself because no candidate was left, which was no
 * judgement on the patterns.
 */
export async function findCandidates(db: Db, s: Pick<RetrainSettings, 'afterFailedPromptRuns' | 'bakeGrowth' | 'cooldownHours'>): Promise<ComponentCandidates[]> {
  const rows = rowsOf<CandidateRow>(
    await db.execute(sql`
      with recursive roots(id, root) as (
        select id, id from patterns where merged_into is null
        union all
        select m.id, r.root from patterns m join roots r on m.merged_into = r.id
      ),
      runs as (
        select rt.root as pattern_id,
          count(*) filter (where o.outcome = 'could_not_fix') as could_not_fix,
          max((o.gate->>'growth')::float8) filter (where o.outcome = 'fixed' and o.created_at > now() - interval '30 days') as max_fixed_growth
        from optimization_runs o join roots rt on rt.id = o.pattern_id group by rt.root
      )
      select p.id, p.component, p.title, p.kind, p.diagnosis, p.remedy, p.status,
        (p.stats->'windows'->>'h24')::float8 as failures_24h, (p.stats->>'share24h')::float8 as share_24h,
        coalesce(r.could_not_fix, 0) as could_not_fix, r.max_fixed_growth
      from patterns p left join runs r on r.pattern_id = p.id
      where p.merged_into is null
        and not exists (
          select 1 from finetune_recommendations fr join roots rt on rt.root = p.id
          where fr.status in ('promoted', 'rejected', 'dismissed', 'failed')
            and fr.updated_at > now() - make_interval(hours => ${s.cooldownHours})
            and fr.patterns @> jsonb_build_array(jsonb_build_object('id', rt.id::text))
            and not (fr.status = 'promoted' and p.status = 'regressed')
            and not (fr.status = 'dismissed' and exists (
              select 1 from recommendation_events e where e.recommendation_id = fr.id and e.to_status = 'dismissed' and e.actor = 'retrain')))
        and (
        (p.systematic and p.status in ('systematic', 'regressed') and (p.remedy = 'finetune' or coalesce(r.could_not_fix, 0) >= ${s.afterFailedPromptRuns}))
        or coalesce(r.max_fixed_growth, 0) > ${s.bakeGrowth})
      order by p.component, p.id`),
  );
  const byComponent = new Map<string, RecommendedPattern[]>();
  for (const r of rows) {
    const systematic = r.status === 'systematic' || r.status === 'regressed';
    const reasons: CandidateReason[] = [];
    if (systematic && r.remedy === 'finetune') reasons.push('finetune_remedy');
    if (systematic && Number(r.could_not_fix) >= s.afterFailedPromptRuns) reasons.push('prompt_could_not_fix');
    if (Number(r.max_fixed_growth ?? 0) > s.bakeGrowth) reasons.push('prompt_grew');
    const list = byComponent.get(r.component) ?? [];
    list.push({ id: r.id, title: r.title, kind: r.kind, diagnosis: r.diagnosis, remedy: r.remedy, reasons, failures24h: Number(r.failures_24h ?? 0), failureRate: Number(r.share_24h ?? 0) });
    byComponent.set(r.component, list);
  }
  return [...byComponent].map(([component, patterns]) => ({ component, patterns }));
}
