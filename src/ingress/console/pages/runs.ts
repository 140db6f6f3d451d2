import { html } from 'hono/html';
import { optimizationOutcomes, optimizationRunStatuses, optimizationTriggers } from '../../../db/index.ts';
import { ApiError } from '../api-client.ts';
import type { Candidate, Gate, PromptsView, RunDetail, RunSummary } from '../api-types.ts';
import { pageHandler, render, type ConsoleContext } from '../context.ts';
import { listPage } from '../list-page.ts';
import { badge, num, percent, seg, time, usd, type Html } from '../format.ts';
import { empty } from '../layout.ts';
import { promptDiff } from '../prompt-diff.ts';
import { runTable } from './components.ts';
import { versionActions } from './prompts.ts';

/** GET /console/runs: optimization runs, newest first, with the API's filters. */
export const runsPage = listPage<RunSummary>({
  path: '/console/runs',
  title: 'Optimization runs',
  nav: 'runs',
  api: '/optimizations',
  fields: [
    { name: 'component', label: 'Component' },
    { name: 'pattern', label: 'Pattern id' },
    { name: 'status', label: 'Status', options: optimizationRunStatuses },
    { name: 'outcome', label: 'Outcome', options: optimizationOutcomes },
    { name: 'trigger', label: 'Trigger', options: optimizationTriggers },
  ],
  table: runTable,
});

const setOrder = ['feedback', 'selection', 'gate'];

function candidateTable(run: RunDetail, winnerId: string | undefined): Html {
  if (run.candidates.length === 0) return empty('No candidates yet.');
  const sets = [...new Set([...setOrder.filter((s) => s in run.sets), ...run.candidates.flatMap((cand) => Object.keys(cand.scores))])];
  const cell = (cand: Candidate, set: string): Html => {
    const s = cand.scores[set];
    if (!s) return html`<td class="num muted">–</td>`;
    const pattern = s.pattern_total ? html`<br><span class="muted">pattern ${s.pattern_passed ?? 0}/${s.pattern_total}</span>` : '';
    return html`<td class="num">${s.passed}/${s.total} (${percent(s.total ? s.passed / s.total : 0, 0)})${pattern}</td>`;
  };
  return html`<table class="list"><thead><tr><th>Candidate</th><th>Model</th>${sets.map((s) => html`<th class="num">${s}${run.sets[s] !== undefined ? html` <span class="muted">(${run.sets[s]} cases)</span>` : ''}</th>`)}<th>Length</th><th>Rejected</th><th class="num">Cost</th></tr></thead>
<tbody>${run.candidates.map(
    (cand) => html`<tr${cand.id === winnerId ? html` class="winner"` : ''}><td><code>${cand.id}</code>${cand.id === winnerId ? html` ${badge('winner')}` : ''}${cand.id === 'current' ? html` <span class="muted">(the prompt live when the run started)</span>` : ''}
<details><summary>prompt</summary><pre class="text">${cand.template}</pre></details></td>
<td>${cand.model ?? html`<span class="muted">requested</span>`}</td>${sets.map((s) => cell(cand, s))}<td class="num">${num(cand.template.length)}</td><td class="wrap">${cand.rejected ?? ''}</td><td class="num">${usd(cand.cost_usd)}</td></tr>`,
  )}</tbody></table>`;
}

function gateTable(gate: Gate | null): Html {
  if (!gate) return empty('The run did not reach the gate.');
  const pair = (label: string, v: { current: number; candidate: number } | undefined, better: 'lower' | 'higher') =>
    v
      ? html`<tr><th>${label}</th><td class="num">${percent(v.current)}</td><td class="num">${percent(v.candidate)}</td><td>${(better === 'lower' ? v.candidate < v.current : v.candidate > v.current) ? 'better' : v.candidate === v.current ? 'same' : 'worse'}</td></tr>`
      : '';
  return html`<p>${gate.accepted ? badge('accepted') : gate.inconclusive ? badge('inconclusive') : badge('refused')}</p>
<table class="list gate"><thead><tr><th></th><th class="num">Current prompt</th><th class="num">Winner</th><th></th></tr></thead><tbody>
${pair('Pattern failure rate (gate set)', gate.pattern_fail_rate, 'lower')}
${pair('Regression cases passing', gate.regression_pass_rate, 'higher')}
</tbody></table>
<dl class="facts"><dt>p (pattern)</dt><dd>${gate.p_value?.toFixed(4) ?? '–'}</dd><dt>p (regressions)</dt><dd>${gate.regression_p_value?.toFixed(4) ?? '–'}</dd>
<dt>Net fall over traffic</dt><dd>${gate.net_fall === null || gate.net_fall === undefined ? '–' : percent(gate.net_fall)}</dd><dt>Prompt growth</dt><dd>${gate.growth === undefined ? '–' : percent(gate.growth, 0)}</dd></dl>
${gate.reasons?.length ? html`<ul>${gate.reasons.map((r) => html`<li>${r}</li>`)}</ul>` : ''}`;
}

/** GET /console/runs/:id: candidates with scores, the winner's diff against the current prompt, the gate; canary and promote. */
export const runPage = pageHandler(async (c: ConsoleContext) => {
  const api = c.get('view').api;
  const run = await api.get<RunDetail>(`/optimizations/${encodeURIComponent(c.req.param('id') ?? '')}`);
  const current = run.candidates.find((cand) => cand.id === 'current');
  const winnerId = run.gate?.candidate;
  const winner = run.candidates.find((cand) => cand.id === winnerId);
  const prompts = run.winner_version_id ? await api.get<PromptsView>(`/components/${seg(run.component)}/prompts`).catch((err: unknown) => (err instanceof ApiError ? null : Promise.reject(err))) : null;
  const version = prompts?.versions.find((v) => v.id === run.winner_version_id);
  return render(
    c,
    { title: `Optimization run ${run.id.slice(0, 8)}`, nav: 'runs' },
    html`<dl class="facts">
<dt>Component</dt><dd><a href="/console/components/${seg(run.component)}">${run.component}</a></dd><dt>Pattern</dt><dd><a href="/console/patterns/${run.pattern_id}">${run.pattern_id.slice(0, 8)}</a></dd>
<dt>Status</dt><dd>${badge(run.status)} ${badge(run.outcome)}</dd><dt>Trigger</dt><dd>${run.trigger}</dd>
<dt>Replays</dt><dd>${num(run.eval_calls)}</dd><dt>Cost</dt><dd>${usd(run.cost_usd)} (${num(run.optimizer_tokens)} optimizer tokens)</dd>
<dt>Created</dt><dd>${time(run.created_at)}</dd><dt>Took</dt><dd>${run.seconds === null ? '–' : `${run.seconds.toFixed(1)} s`}</dd>
</dl>
${run.result ? html`<p class="result">${run.result}</p>` : ''}
<h2>The winner against the current prompt</h2>
${winner && current ? promptDiff(current.template, winner.template) : empty('No winner: no candidate reached the gate.')}
${version && prompts ? html`<p>Written as <a href="/console/prompts/${seg(run.component)}#v${version.version}">version ${version.version}</a> ${badge(version.status)}</p>${versionActions(version, prompts, `/console/runs/${run.id}`)}` : ''}
<h2>The gate</h2>${gateTable(run.gate)}
<h2>Candidates</h2>${candidateTable(run, winnerId)}`,
  );
});
