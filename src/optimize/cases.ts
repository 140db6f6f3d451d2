import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { leadingSystemMessage, readModelOutput } from '../core/index.ts';
import { rowsOf, type Db } from '../db/index.ts';
import { type CallView, loadCalls } from '../evaluate/index.ts';
import { extractSlots, type PromptTemplate } from '../prompts/index.ts';

export interface OptimizationCase {
  callId: string;
  sessionKey: string;
  /** The recorded chat request (system prompt restored). */
  request: Record<string, unknown>;
  /** The slot values of its system prompt under the observed template. */
  slots: Record<string, string>;
  /** What went wrong (pattern cases) — messages, judge rationales, corrections — for the optimizer model. */
  evidence: string[];
  correction: unknown;
  output: string;
  kind: 'pattern' | 'regression';
}

export type SetName = 'feedback' | 'selection' | 'gate';

/** Split by session, so one conversation's calls never sit on both sides: feedback 50 %, selection 25 %, gate 25 %. */
export function setOf(sessionKey: string): SetName {
  const x = createHash('sha256').update(sessionKey).digest().readUInt32BE(0) / 0x1_0000_0000;
  return x < 0.5 ? 'feedback' : x < 0.75 ? 'selection' : 'gate';
}

function toCase(view: CallView, session: string | null, template: PromptTemplate, kind: OptimizationCase['kind'], evidence: string[], correction: unknown): OptimizationCase | null {
  if (view.route !== 'chat.completions') return null;
  const system = leadingSystemMessage(view.request)?.['content'];
  if (typeof system !== 'string') return null;
  const slots = extractSlots(template, system);
  if (!slots) return null;
  const output = readModelOutput(view.route, view.response)?.text ?? '';
  return { callId: view.id, sessionKey: session ?? view.id, request: view.request as Record<string, unknown>, slots, evidence, correction, output, kind };
}

/**
 * The pattern's failing calls (with what went wrong and any correction), and the component's other
 * recent calls as the regression sample, as replayable cases. The sample is drawn without looking at
 * how the calls fared: calls picked because they passed would pass again under the current prompt
 * (the same input and prompt give the same answer) while a candidate's replay meets the model's
 * ordinary noise — a bias against every candidate, not a regression. Both prompts are replayed on
 * the same sample and compared pair by pair.
 */
export async function loadCases(db: Db, patternId: string, component: string, template: PromptTemplate, limits = { pattern: 80, regression: 60 }): Promise<OptimizationCase[]> {
  const failing = rowsOf<{ call_id: string; messages: string[]; correction: unknown; session_id: string | null }>(
    await db.execute(sql`
      select f.call_id, array_agg(f.message || coalesce(': ' || (f.evidence->>'rationale'), '') || coalesce(': ' || (f.evidence->>'comment'), '')) as messages,
        coalesce((array_agg(f.correction) filter (where f.correction is not null))[1],
          (select fb.correction from feedback fb where fb.call_id = f.call_id and fb.correction is not null order by fb.created_at desc limit 1)) as correction,
        max(c.session_id) as session_id
      from failures f join calls c on c.id = f.call_id
      where f.pattern_id = ${patternId}
      group by f.call_id order by max(f.call_started_at) desc limit ${limits.pattern}`),
  );
  const others = rowsOf<{ id: string; session_id: string | null }>(
    await db.execute(sql`
      select c.id, c.session_id from calls c join call_evaluations e on e.call_id = c.id
      where c.component = ${component} and c.status = 'success' and c.prompt_version_id is null
        and not exists (select 1 from failures f where f.call_id = c.id and f.pattern_id = ${patternId})
      order by c.started_at desc limit ${limits.regression}`),
  );
  const views = new Map((await loadCalls(db, [...failing.map((f) => f.call_id), ...others.map((p) => p.id)])).map((v) => [v.view.id, v.view]));
  const out: OptimizationCase[] = [];
  for (const f of failing) {
    const v = views.get(f.call_id);
    const c = v && toCase(v, f.session_id, template, 'pattern', f.messages, f.correction);
    if (c) out.push(c);
  }
  for (const p of others) {
    const v = views.get(p.id);
    const c = v && toCase(v, p.session_id, template, 'regression', [], null);
    if (c) out.push(c);
  }
  return out;
}
