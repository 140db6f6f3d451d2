import { sql, type SQL } from 'drizzle-orm';
import { rowsOf, uuidArray, type Db } from '../../db/index.ts';

/**
 * The SQL the dataset stands on: the candidate patterns' failing calls with their trusted target (a
 * correction, or the output of a later passing call of the same input under an accepted prompt
 * version), and the component's passing calls to replay. Mirrors the optimizer's case queries
 * (failures by pattern, corrections from failures then feedback) without importing them.
 */

/**
 * md5 of a chat request's messages after its leading system prompt and the few-shot turns a prompt
 * version put there (`shots` pairs): the call's input, whatever system prompt it ran under. Each
 * element is compared as jsonb text (whitespace and key order normalized): the recorder stores a
 * request as the agent sent it when it can, written again (compact) when a prompt was swapped in, so
 * the same input can be stored in two spellings.
 */
function inputHashSql(body: SQL, shots: SQL): SQL {
  return sql`(case when json_typeof(${body}->'messages') = 'array' then md5(coalesce((
    select string_agg(m.e::jsonb::text, ',' order by m.i) from json_array_elements(${body}->'messages') with ordinality as m(e, i)
    where m.i > (case when (${body}->'messages'->0->>'role') in ('system', 'developer') then 1 else 0 end) + 2 * coalesce(${shots}, 0)
  ), '')) end)`;
}

/** A jsonb correction that says something (not SQL null, JSON null or an empty string). */
const usable = (col: SQL): SQL => sql`${col} is not null and jsonb_typeof(${col}) <> 'null' and ${col} <> '""'::jsonb`;

/**
 * The failing chat calls of the patterns (one row per call, however many failures it has), each with
 * its newest correction (its failures' first, then feedback's), its input hash and — when it has no
 * correction — the newest later call of the same input under an accepted version (optimizer or
 * manual, version > 0, active, canary, or retired after having been promoted) that passed every check,
 * has no failure recorded since, and was not failed by a judge.
 */
function trustedCasesCte(component: string, patternIds: readonly string[]): SQL {
  return sql`
    with failing as (
      select f.call_id from failures f
      where f.pattern_id = any(${uuidArray(patternIds)}::uuid[]) and f.component = ${component}
      group by f.call_id
    ),
    cases as (
      select c.id, c.session_id, c.started_at, ${inputHashSql(sql`c.request_body`, sql`jsonb_array_length(pv.few_shot)`)} as input_hash,
        coalesce(
          (select f2.correction from failures f2 where f2.call_id = c.id and ${usable(sql`f2.correction`)} order by f2.created_at desc limit 1),
          (select fb.correction from feedback fb where fb.call_id = c.id and ${usable(sql`fb.correction`)} order by fb.created_at desc limit 1)
        ) as correction
      from failing fl join calls c on c.id = fl.call_id
      left join prompt_versions pv on pv.id = c.prompt_version_id
      where c.component = ${component} and c.route = 'chat.completions'
    ),
    accepted as (
      select pv.id, jsonb_array_length(pv.few_shot) as shots from prompt_versions pv
      where pv.component = ${component} and pv.version > 0 and pv.origin->>'source' in ('optimizer', 'manual')
        and (pv.status in ('active', 'canary')
          or (pv.status = 'retired' and exists (select 1 from prompt_audit a where a.version_id = pv.id and a.action = 'promoted')))
    ),
    later as (
      select c2.id, c2.started_at, ${inputHashSql(sql`c2.request_body`, sql`a.shots`)} as input_hash
      from calls c2 join accepted a on a.id = c2.prompt_version_id
      join call_evaluations e on e.call_id = c2.id and e.failure_count = 0
      where c2.component = ${component} and c2.route = 'chat.completions' and c2.status = 'success'
        and c2.started_at > (select coalesce(min(started_at), 'infinity'::timestamptz) from cases where correction is null)
        and not exists (select 1 from failures f3 where f3.call_id = c2.id)
        and not exists (select 1 from judge_verdicts j where j.call_id = c2.id and not j.pass)
    ),
    matched as (
      select distinct on (cs.id) cs.id, l.id as later_id
      from cases cs join later l on l.input_hash = cs.input_hash and l.started_at > cs.started_at
      where cs.correction is null
      order by cs.id, l.started_at desc
    ),
    resolved as (
      select cs.id, cs.session_id, cs.started_at, cs.input_hash, cs.correction, m.later_id,
        case when cs.correction is not null then 'correction' when m.later_id is not null then 'later_prompt' end as source
      from cases cs left join matched m on m.id = cs.id
    )`;
}

export interface SourceTally {
  correction: number;
  later_prompt: number;
  /** Failing calls with neither: what a teacher could still give a target. */
  untargeted: number;
}

/** Failing calls of the patterns by the most trusted target they have: one query. */
export async function tallyTrustedCases(db: Db, component: string, patternIds: readonly string[]): Promise<SourceTally> {
  if (patternIds.length === 0) return { correction: 0, later_prompt: 0, untargeted: 0 };
  const [row] = rowsOf<{ correction: string | number; later_prompt: string | number; untargeted: string | number }>(
    await db.execute(sql`${trustedCasesCte(component, patternIds)}
      select count(*) filter (where source = 'correction') as correction,
        count(*) filter (where source = 'later_prompt') as later_prompt,
        count(*) filter (where source is null) as untargeted
      from resolved`),
  );
  return { correction: Number(row?.correction ?? 0), later_prompt: Number(row?.later_prompt ?? 0), untargeted: Number(row?.untargeted ?? 0) };
}

export interface TrustedCase {
  callId: string;
  sessionId: string | null;
  inputHash: string | null;
  correction: unknown;
  laterCallId: string | null;
  /** null: no trusted target yet (a teacher may give one). */
  source: 'correction' | 'later_prompt' | null;
}

/** The failing calls themselves, most trusted and newest first, at most `limit`: one query. */
export async function loadTrustedCases(db: Db, component: string, patternIds: readonly string[], limit: number): Promise<TrustedCase[]> {
  if (patternIds.length === 0) return [];
  const rows = rowsOf<{ id: string; session_id: string | null; input_hash: string | null; correction: unknown; later_id: string | null; source: TrustedCase['source'] }>(
    await db.execute(sql`${trustedCasesCte(component, patternIds)}
      select id, session_id, input_hash, correction, later_id, source from resolved
      order by case source when 'correction' then 0 when 'later_prompt' then 1 else 2 end, started_at desc, id
      limit ${limit}`),
  );
  return rows.map((r) => ({ callId: r.id, sessionId: r.session_id, inputHash: r.input_hash, correction: r.correction, laterCallId: r.later_id, source: r.source }));
}

export interface ReplayCandidate {
  callId: string;
  sessionId: string | null;
  inputHash: string | null;
}

/**
 * The component's recent passing chat calls, newest first: evaluated with no failure, none recorded
 * since (feedback), no failing judge verdict, under the agent's own prompt or an accepted version.
 * Walks the (component, started_at) index backwards.
 */
export async function loadReplayCandidates(db: Db, component: string, limit: number): Promise<ReplayCandidate[]> {
  const rows = rowsOf<{ id: string; session_id: string | null; input_hash: string | null }>(
    await db.execute(sql`
      select c.id, c.session_id, ${inputHashSql(sql`c.request_body`, sql`jsonb_array_length(pv.few_shot)`)} as input_hash
      from calls c join call_evaluations e on e.call_id = c.id and e.failure_count = 0
      left join prompt_versions pv on pv.id = c.prompt_version_id
      where c.component = ${component} and c.route = 'chat.completions' and c.status = 'success'
        and (c.prompt_version_id is null or pv.status in ('active', 'canary', 'retired'))
        and not exists (select 1 from failures f where f.call_id = c.id)
        and not exists (select 1 from judge_verdicts j where j.call_id = c.id and not j.pass)
      order by c.started_at desc, c.id desc
      limit ${limit}`),
  );
  return rows.map((r) => ({ callId: r.id, sessionId: r.session_id, inputHash: r.input_hash }));
}
