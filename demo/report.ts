/** The demo's figures as text: the before/after table, then per story what the loop did, then the console links. */
import { significantlyWorse } from '../testkit/fleet/measure-loop.ts';
import type { ComponentFigures, DemoFigures, Rate } from './figures.ts';
import { evaluationOf } from './loop-state.ts';

export const pct = (x: number | null | undefined): string => (x === null || x === undefined ? '—' : `${Math.round(x * 100)} %`);

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

/** Failures by cause, largest first: `label-format 52 %, glitch 1 %`. */
export function causes(r: Rate): string {
  const e = Object.entries(r.byCause).sort((a, b) => b[1] - a[1]);
  return e.length ? e.map(([k, v]) => `${k} ${pct(v)}`).join(', ') : 'none';
}

/** What fixed it, in a few words. */
export function remedyApplied(c: ComponentFigures): string {
  const parts: string[] = [];
  if (c.promptPromoted) parts.push(`prompt v${c.canary.filter((d) => d.action === 'promoted' && d.what === 'prompt').map((d) => d.version).pop() ?? '?'}`);
  if (c.tunedModelLive) parts.push('tuned model');
  return parts.length ? parts.join(' + ') : 'none';
}

/** Whether the loop did what the story needs. */
export function storyClosed(c: ComponentFigures): boolean {
  switch (c.story.expected) {
    case 'prompt':
      return c.promptPromoted;
    case 'tuned model':
      return c.tunedModelLive;
    case 'prompt + tuned model':
      return c.promptPromoted && c.tunedModelLive;
    case 'none':
      return c.live === null && !significantlyWorse(c.before, c.after);
  }
}

export function beforeAfterTable(f: DemoFigures): string {
  const rows = [['component', 'correct before', 'after', 'failures before', 'failures after', 'remedy applied']];
  for (const c of f.components) rows.push([c.story.component, `${pct(c.before.rate)} (${c.before.n})`, `${pct(c.after.rate)} (${c.after.n})`, causes(c.before), causes(c.after), remedyApplied(c)]);
  return table(rows);
}

function storyLines(c: ComponentFigures, i: number): string[] {
  const out = [`${i + 1}. ${c.story.title} (${c.story.component}) — ${c.story.problem}`];
  out.push(`   correct: ${pct(c.before.rate)} → ${pct(c.after.rate)}${Object.keys(c.afterByVersion).length > 1 ? ` (after, by what served: ${Object.entries(c.afterByVersion).map(([v, r]) => `${v} ${pct(r.rate)}/${r.n}`).join(', ')})` : ''}`);
  for (const p of c.patterns) out.push(`   pattern: "${p.title.slice(0, 90)}" — ${p.failureCount} failures, ${p.diagnosis}, remedy ${p.remedy}`);
  for (const r of c.runs) out.push(`   optimization run: ${r.status}${r.outcome ? ` (${r.outcome})` : ''} — ${(r.result ?? '').slice(0, 120)}`);
  if (c.promptDiff.length) {
    out.push(`   prompt diff (agent's own → live v${c.live?.version ?? '?'}):`);
    for (const d of c.promptDiff) out.push(`     ${d}`);
  }
  const r = c.recommendation;
  if (r) {
    out.push(`   fine-tuning: ${r.status}; ${r.examples.trusted} trusted examples (${Object.entries(r.examples.by_source).map(([k, n]) => `${k} ${n}`).join(', ')}); ${r.arithmetic.failures_per_day.toFixed(0)} failures/day vs ~$${r.arithmetic.estimated_training_cost_usd.toFixed(2)} to train, payback ${r.arithmetic.payback_days === null ? '—' : `${r.arithmetic.payback_days.toFixed(1)} days`}`);
    if (r.dataset) out.push(`   dataset: ${Object.entries(r.dataset.files).map(([f, x]) => `${f} ${x.rows} rows`).join(', ')}`);
    if (r.training_job) out.push(`   training job: ${r.training_job.external_id ?? r.training_job.id} ${r.training_job.status} → ${r.training_job.tuned_model ?? '—'}`);
    const e = evaluationOf(r);
    if (e?.pattern_fail_rate) out.push(`   gate: pattern failures ${pct(e.pattern_fail_rate.current)} (current) → ${pct(e.pattern_fail_rate.candidate)} (tuned); ${e.accepted ? 'accepted' : 'rejected'}`);
  }
  for (const d of c.canary) out.push(`   canary: v${d.version} (${d.what}) ${d.action.replace('_', ' ')}`);
  if (c.story.expected === 'none') out.push(`   left alone: ${c.runs.length} runs, ${c.recommendation ? 'a' : 'no'} recommendation, ${c.live ? `v${c.live.version} live` : 'its own prompt serves'}`);
  out.push(`   → ${storyClosed(c) ? 'loop closed' : 'NOT closed'} (${c.story.expected === 'none' ? 'untouched' : `fixed by ${remedyApplied(c)}`})`);
  return out;
}

export function consoleLinks(url: string, f: DemoFigures): string[] {
  const recs = f.components.flatMap((c) => (c.recommendation ? [`${url}/console/recommendations/${c.recommendation.id}`] : []));
  return [
    `${url}/console                  components`,
    `${url}/console/patterns         patterns`,
    `${url}/console/runs             optimization runs`,
    `${url}/console/recommendations  fine-tuning recommendations`,
    ...f.components.map((c) => `${url}/console/prompts/${c.story.component}`),
    ...recs,
  ];
}

export function formatDemoReport(f: DemoFigures): string {
  const lines = [
    `Before and after (seed ${f.seed}; correct = right by the simulation's ground truth, measured on ${f.components[0]?.before.n ?? 0} calls per component before and ${f.components[0]?.after.n ?? 0} after):`,
    '',
    beforeAfterTable(f),
    '',
    ...f.components.flatMap((c, i) => [...storyLines(c, i), '']),
    `${f.calls.sent} calls (${f.calls.errors} errors), ${f.calls.feedback} feedback (${f.calls.corrections} with a correction); simulated provider: ${f.simulated.agent} agent answers, ${f.simulated.judge} verdicts, ${f.simulated.optimizer} optimizer proposals, ${f.simulated.trainingJobs} training jobs`,
    `time: ${f.seconds.total.toFixed(0)} s (starting the gateway ${f.seconds.start.toFixed(0)} s, before ${f.seconds.before.toFixed(0)} s, loop ${f.seconds.loop.toFixed(0)} s, after ${f.seconds.after.toFixed(0)} s)`,
    `settings changed from the defaults to fit days into minutes: ${f.settings.join('; ')}`,
  ];
  return lines.join('\n');
}
