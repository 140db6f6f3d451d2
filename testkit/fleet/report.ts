/** The fleet's report as text: one table per component, then the fleet-level numbers. */
import type { FleetRun } from './run-fleet.ts';

const pct = (x: number | null | undefined): string => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(0)} %`);
const num = (x: number, d = 2): string => x.toFixed(d);

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

export function formatFleetReport(run: FleetRun): string {
  const r = run.report;
  const lines: string[] = [];
  lines.push(`Simulated fleet — seed ${run.options.seed}, ${run.calls.sent} calls (${run.calls.errors} errors), ${run.calls.feedback} feedback (${run.calls.corrections} with a correction), ${run.mode}, ${run.options.embeddings ? 'simulated embeddings' : 'local TF-IDF vectors'}`);
  lines.push(`time: ${num(run.seconds.total, 0)} s (before ${num(run.seconds.before, 0)} s, loop ${num(run.seconds.loop, 0)} s, after ${num(run.seconds.after, 0)} s, settle ${num(run.seconds.settle, 0)} s); settings changed from the defaults: ${Object.entries(run.settings.intervals).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  lines.push('');
  const rows = [['component', 'true problems', 'calls', 'before', 'after', 'after by version', 'patterns (syst.)', 'runs acc/not/fail', 'canary +/−', 'active']];
  for (const c of r.components) {
    const problems = c.problems.length ? c.problems.map((p) => `${p.id.split('/')[1]} (${p.diagnosis[0]})`).join(', ') : 'none (control)';
    const byVersion = Object.entries(c.afterByVersion).sort().map(([v, x]) => `${v === 'own' ? 'own' : `v${v}`} ${pct(x.rate)}/${x.n}`).join(' ');
    rows.push([c.name, problems, String(c.calls), `${pct(c.before.rate)} (${c.before.n})`, `${pct(c.after.rate)} (${c.after.n})`, byVersion, `${c.patterns} (${c.systematicPatterns})`, `${c.runs['accepted'] ?? 0}/${c.runs['not_fixed'] ?? 0}/${c.runs['failed'] ?? 0}`, `${c.canary.promoted}/${c.canary.rolledBack}${c.canary.running ? ' +1 running' : ''}`, c.activeVersion === null ? 'own' : `v${c.activeVersion}`]);
  }
  lines.push(table(rows));
  lines.push('');
  const prow = [['true problem', 'diag.', 'failures', 'patterns (majority)', 'patterns touched', 'largest share', 'systematic', 'diagnosed as']];
  for (const p of r.problems) prow.push([p.id, p.diagnosis, String(p.failures), String(p.patterns), String(p.patternsTouched), pct(p.largestShare), p.systematic ? 'yes' : 'no', Object.entries(p.diagnoses).map(([d, n]) => `${d} ${n}`).join(', ') || '—']);
  lines.push(table(prow));
  lines.push('');
  const g = r.grouping;
  lines.push(`failures: ${r.failures.total} (${Object.entries(r.failures.byKind).map(([k, n]) => `${k} ${n}`).join(', ')}), ${r.failures.noise} of them one-off noise, ${r.failures.grouped} grouped`);
  lines.push(`grouping: ARI ${num(g.ari)} (real problems only ${num(g.ariRealOnly)}), completeness ${num(g.completeness)}, homogeneity ${num(g.homogeneity)}, purity ${num(g.purity)}; ${g.livePatterns} live patterns, ${num(g.patternsPerProblem, 1)} patterns per real problem`);
  lines.push(`systematic: ${r.systematic.realProblemsFlagged} of ${r.systematic.realProblems} real problems flagged; ${r.systematic.patterns} systematic patterns, ${r.systematic.noisePatterns} of them noise`);
  lines.push(`diagnosis: ${r.diagnosis.correct} of ${r.diagnosis.patternsJudged} diagnosed patterns of real problems right (${pct(r.diagnosis.accuracy)})`);
  const o = r.optimization;
  lines.push(`optimization: ${o.runs} runs (${Object.entries(o.byTrigger).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}): ${Object.entries(o.byStatus).map(([k, n]) => `${k} ${n}`).join(', ') || '—'} (outcomes: ${Object.entries(o.byOutcome).map(([k, n]) => `${k} ${n}`).join(', ') || '—'}); reasons: ${Object.entries(o.reasons).map(([k, n]) => `${k} ${n}`).join(', ') || '—'}; ${o.replays} replays (at most ${o.maxReplays} in a run)`);
  lines.push(`canary: ${r.canary.promoted} promoted, ${r.canary.rolledBack} rolled back`);
  lines.push(`prompt-fixable components at ≥ ${pct(r.promptFixable.threshold)} after: ${r.promptFixable.fixed} of ${r.promptFixable.components}`);
  if (r.control) lines.push(`control ${r.control.name}: ${pct(r.control.before)} → ${pct(r.control.after)}${r.control.regressed ? ' — REGRESSED' : ', no regression'}`);
  const s = run.simulation;
  lines.push(`simulated provider: ${s.agent} agent answers, ${s.judge} verdicts, ${s.optimizer} optimizer proposals (${Object.entries(s.strategies).filter(([, n]) => n).map(([k, n]) => `${k} ${n}`).join(', ')}), ${s.embeddings} embeddings`);
  return lines.join('\n');
}
