import { sql } from 'drizzle-orm';
import { rowsOf, type Db } from '../db/index.ts';
import { parseTemplateText, type PromptTemplate, templateMatcher } from '../prompts/index.ts';

export interface LiveVersion {
  id: string;
  version: number;
  template: string;
  model: string | null;
  fewShot: { user: string; assistant: string }[];
}

/** What the hot path needs to swap a component's prompt: no database round-trip. */
export interface LiveComponent {
  /** The observed template (version 0) requests must fit. */
  template: PromptTemplate;
  matcher: RegExp;
  active: LiveVersion | null;
  canary: LiveVersion | null;
  canaryShare: number;
}

interface Row {
  component: string;
  observed: string;
  canary_share: number;
  a_id: string | null;
  a_version: number | null;
  a_template: string | null;
  a_model: string | null;
  a_few_shot: LiveVersion['fewShot'] | null;
  c_id: string | null;
  c_version: number | null;
  c_template: string | null;
  c_model: string | null;
  c_few_shot: LiveVersion['fewShot'] | null;
}

function version(id: string | null, v: number | null, template: string | null, model: string | null, fewShot: LiveVersion['fewShot'] | null): LiveVersion | null {
  return id && v !== null && template !== null ? { id, version: v, template, model, fewShot: fewShot ?? [] } : null;
}

/** Every component with an active or a canary version, read whole in one small query. */
export async function loadLivePrompts(db: Db): Promise<Map<string, LiveComponent>> {
  const rows = rowsOf<Row>(
    await db.execute(sql`
      select cp.component, v0.template as observed, cp.canary_share,
        a.id as a_id, a.version as a_version, a.template as a_template, a.model as a_model, a.few_shot as a_few_shot,
        c.id as c_id, c.version as c_version, c.template as c_template, c.model as c_model, c.few_shot as c_few_shot
      from component_prompts cp
      join prompt_versions v0 on v0.component = cp.component and v0.version = 0
      left join prompt_versions a on a.id = cp.active_version_id
      left join prompt_versions c on c.id = cp.canary_version_id
      where cp.active_version_id is not null or cp.canary_version_id is not null`),
  );
  const next = new Map<string, LiveComponent>();
  for (const r of rows) {
    const template = parseTemplateText(r.observed);
    next.set(r.component, {
      template,
      matcher: templateMatcher(template),
      active: version(r.a_id, r.a_version, r.a_template, r.a_model, r.a_few_shot),
      canary: version(r.c_id, r.c_version, r.c_template, r.c_model, r.c_few_shot),
      canaryShare: Number(r.canary_share),
    });
  }
  return next;
}
