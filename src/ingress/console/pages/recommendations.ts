import { html } from 'hono/html';
import { recommendationStatuses } from '../../../db/index.ts';
import type { Recommendation, RecommendationDetail, TrainingJob } from '../api-types.ts';
import { listPage } from '../list-page.ts';
import { pageHandler, render, type ConsoleContext } from '../context.ts';
import { badge, jsonBlock, num, percent, seg, shortId, time, usd, type Html } from '../format.ts';
import { actionButton, empty } from '../layout.ts';

/** GET /console/recommendations: fine-tuning recommendations, newest first. */
export const recommendationsPage = listPage<Recommendation>({
  path: '/console/recommendations',
  title: 'Fine-tuning recommendations',
  nav: 'recommendations',
  api: '/recommendations',
  fields: [
    { name: 'component', label: 'Component' },
    { name: 'status', label: 'Status', options: recommendationStatuses },
  ],
  table: (rows) =>
    rows.length
      ? html`<table class="list"><thead><tr><th>Recommendation</th><th>Component</th><th>Status</th><th>Base model</th><th class="num">Failures / day</th><th class="num">Training cost</th><th class="num">Payback</th><th>Updated</th></tr></thead><tbody>${rows.map(
          (r) => html`<tr><td><a href="/console/recommendations/${r.id}">${shortId(r.id)}</a></td><td>${r.component}</td><td>${badge(r.status)}</td><td><code>${r.base_model}</code></td>
<td class="num">${num(r.arithmetic['failures_per_day'], 1)}</td><td class="num">${usd(r.arithmetic['estimated_training_cost_usd'])}</td><td class="num">${payback(r.arithmetic['payback_days'])}</td><td>${time(r.updated_at)}</td></tr>`,
        )}</tbody></table>`
      : empty('No recommendations: the retrain stage recommends fine-tuning when prompts cannot fix a pattern.'),
});

const payback = (days: unknown): string => (typeof days === 'number' ? `${num(days, 2)} days` : 'never');

/** The arithmetic a person decides on, line by line. */
function arithmetic(a: Recommendation['arithmetic']): Html {
  return html`<table class="list arithmetic"><tbody>
<tr><th>Failures per day (candidate patterns)</th><td class="num">${num(a['failures_per_day'], 1)}</td></tr>
<tr><th>× cost of one failure</th><td class="num">${usd(a['cost_per_failure_usd'])}</td></tr>
<tr><th>= failures cost per day</th><td class="num">${usd(a['failure_cost_per_day_usd'])}</td></tr>
<tr><th>Estimated training tokens</th><td class="num">${num(a['estimated_training_tokens'])}</td></tr>
<tr><th>Estimated training cost</th><td class="num">${usd(a['estimated_training_cost_usd'])}</td></tr>
<tr><th>Serving cost per day</th><td class="num">${usd(a['serving_cost_per_day_usd'])}</td></tr>
<tr><th>Paid back in</th><td class="num">${payback(a['payback_days'])}</td></tr>
</tbody></table>`;
}

function job(j: TrainingJob | null): Html {
  if (!j) return empty('No training job yet.');
  const last = j.checkpoints.at(-1);
  return html`<dl class="facts">
<dt>Status</dt><dd>${badge(j.status)}</dd><dt>Backend</dt><dd>${j.backend}${j.external_id ? html` · <code>${j.external_id}</code>` : ''}</dd>
<dt>Base model</dt><dd><code>${j.base_model}</code></dd><dt>Tuned model</dt><dd>${j.tuned_model ? html`<code>${j.tuned_model}</code>` : '–'}</dd>
<dt>Trained tokens</dt><dd>${num(j.trained_tokens)}</dd><dt>Cost</dt><dd>${usd(j.cost_usd)}</dd>
<dt>Started</dt><dd>${time(j.started_at)}</dd><dt>Finished</dt><dd>${time(j.finished_at)}</dd>
<dt>Checkpoints</dt><dd>${j.checkpoints.length}${last ? html` · latest step ${last.step}: ${Object.entries(last.metrics).map(([k, v]) => `${k} ${v === null ? '–' : v.toFixed(4)}`).join(', ')}` : ''}</dd>
${j.error ? html`<dt>Error</dt><dd class="error">${j.error.code}: ${j.error.message}</dd>` : ''}
</dl>
${j.events.length ? html`<table class="list compact"><thead><tr><th>When</th><th>Level</th><th>Event</th></tr></thead><tbody>${j.events.slice(-30).map((e) => html`<tr><td>${time(e.at)}</td><td>${e.level}</td><td class="wrap">${e.message}</td></tr>`)}</tbody></table>` : ''}`;
}

function dataset(r: RecommendationDetail): Html {
  const d = r.dataset;
  if (!d) return empty('No dataset yet: it is built when the recommendation is approved.');
  return html`<p><code title="sha256">${d.sha256.slice(0, 16)}…</code> built ${time(d.created_at)}</p>
<table class="list"><thead><tr><th>File</th><th class="num">Rows</th><th class="num">Bytes</th></tr></thead><tbody>${Object.entries(d.files).map(
    ([name, f]) => html`<tr><td><a href="/console/datasets/${d.id}/files/${seg(name)}">${name}</a></td><td class="num">${num(f.rows)}</td><td class="num">${num(f.bytes)}</td></tr>`,
  )}</tbody></table>
<details><summary>Counts</summary>${jsonBlock(d.counts)}</details>`;
}

/** GET /console/recommendations/:id: the arithmetic, the patterns, the examples, the dataset and the job's progress; approve, dismiss, cancel. */
export const recommendationPage = pageHandler(async (c: ConsoleContext) => {
  const r = await c.get('view').api.get<RecommendationDetail>(`/recommendations/${encodeURIComponent(c.req.param('id') ?? '')}`);
  const back = `/console/recommendations/${r.id}`;
  const reason = html`<label>reason <input name="reason" type="text" maxlength="2000" placeholder="optional"></label> `;
  const actions: Html[] = [];
  if (r.status === 'open') actions.push(actionButton(`${back}/approve`, 'Approve: build the dataset and train', { back }));
  if (['open', 'needs_examples', 'rejected', 'failed'].includes(r.status)) actions.push(actionButton(`${back}/dismiss`, 'Dismiss', { back, extra: reason, danger: true }));
  if (['approved', 'training', 'evaluating', 'canary'].includes(r.status)) actions.push(actionButton(`${back}/cancel`, 'Cancel', { back, extra: reason, danger: true }));
  return render(
    c,
    { title: `Fine-tuning ${r.component}`, nav: 'recommendations' },
    html`<dl class="facts">
<dt>Component</dt><dd><a href="/console/components/${seg(r.component)}">${r.component}</a></dd><dt>Status</dt><dd>${badge(r.status)}${r.approved_by ? html` by ${r.approved_by}` : ''}</dd>
<dt>Base model</dt><dd><code>${r.base_model}</code> on ${r.backend}</dd><dt>Tuned model</dt><dd>${r.tuned_model ? html`<code>${r.tuned_model}</code>` : '–'}</dd>
<dt>Created</dt><dd>${time(r.created_at)}</dd><dt>Updated</dt><dd>${time(r.updated_at)}</dd>
${r.version_id ? html`<dt>Canary version</dt><dd><a href="/console/prompts/${seg(r.component)}">prompt versions</a></dd>` : ''}
</dl>
${r.error ? html`<p class="flash flash-error">${r.error}</p>` : ''}
${actions.length ? html`<div class="actions">${actions}</div>` : ''}
<h2>The arithmetic</h2>${arithmetic(r.arithmetic)}
<h2>Patterns</h2><table class="list"><thead><tr><th>Pattern</th><th>Kind</th><th>Diagnosis</th><th>Why</th><th class="num">Failures 24 h</th><th class="num">Failure rate</th></tr></thead><tbody>${r.patterns.map(
      (p) => html`<tr><td><a href="/console/patterns/${p.id}">${p.title}</a></td><td>${p.kind}</td><td>${badge(p.diagnosis)}</td><td>${p.reasons.map((x) => x.replace(/_/g, ' ')).join(', ')}</td><td class="num">${num(p.failures24h)}</td><td class="num">${percent(p.failure_rate)}</td></tr>`,
    )}</tbody></table>
<h2>Examples</h2><p>${num(r.examples.trusted)} failure cases with a trusted target (${Object.entries(r.examples.by_source ?? {}).map(([k, v]) => `${k.replace(/_/g, ' ')} ${v}`).join(', ')})${r.examples.missing ? html`; ${num(r.examples.missing)} more needed` : ''}.</p>
<h2>Dataset</h2>${dataset(r)}
<h2>Training job</h2>${job(r.training_job)}
${r.evaluation ? html`<h2>Evaluation</h2>${jsonBlock(r.evaluation)}` : ''}
<h2>Events</h2>${
      r.events.length
        ? html`<table class="list"><thead><tr><th>When</th><th>Type</th><th>From</th><th>To</th><th>By</th><th>Detail</th></tr></thead><tbody>${r.events.map(
            (e) => html`<tr><td>${time(e.at)}</td><td>${e.type}</td><td>${badge(e.from_status)}</td><td>${badge(e.to_status)}</td><td>${e.actor}</td><td class="wrap"><code>${Object.keys(e.detail ?? {}).length ? JSON.stringify(e.detail) : ''}</code></td></tr>`,
          )}</tbody></table>`
        : empty('None.')
    }`,
  );
});
