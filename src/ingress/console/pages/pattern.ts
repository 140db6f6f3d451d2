import { html } from 'hono/html';
import { ApiError, type ConsoleApi } from '../api-client.ts';
import type { CallDetail, Page, PatternDetail, RunSummary } from '../api-types.ts';
import { correctionText, inputText, outputText } from '../call-text.ts';
import { countChart, type CountPoint } from '../chart.ts';
import { pageHandler, render, type ConsoleContext } from '../context.ts';
import { badge, jsonBlock, num, percent, time, type Html } from '../format.ts';
import { actionButton, empty } from '../layout.ts';
import { runTable } from './components.ts';

/** The last 24 hours, one bucket an hour, from the API's hours that had failures. */
function hourlyFilled(hourly: { at: string; failures: number }[], now = Date.now()): CountPoint[] {
  const by = new Map(hourly.map((h) => [h.at.slice(0, 13), h.failures]));
  const top = Math.floor(now / 3_600_000) * 3_600_000;
  return Array.from({ length: 24 }, (_, i) => {
    const at = new Date(top - (23 - i) * 3_600_000).toISOString();
    return { at, count: by.get(at.slice(0, 13)) ?? 0 };
  });
}

/** Diagnosis reasons as a list (strings, or objects shown as JSON). */
function reasonList(reasons: unknown): Html {
  const list = Array.isArray(reasons) ? reasons : reasons ? [reasons] : [];
  if (list.length === 0) return html`<span class="muted">none given</span>`;
  return html`<ul>${list.map((r) => html`<li>${typeof r === 'string' ? r : JSON.stringify(r)}</li>`)}</ul>`;
}

async function exampleCalls(api: ConsoleApi, ids: string[]): Promise<Map<string, CallDetail>> {
  const found = await Promise.all(
    [...new Set(ids)].map((id) =>
      api.get<CallDetail>(`/calls/${id}`).catch((err: unknown) => {
        // A call removed by retention leaves its failure: shown without input and output.
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }),
    ),
  );
  return new Map(found.filter((c): c is CallDetail => c !== null).map((c) => [c.id, c]));
}

function examples(p: PatternDetail, calls: Map<string, CallDetail>): Html {
  if (p.examples.length === 0) return empty('No examples.');
  return html`${p.examples.map((e) => {
    const call = calls.get(e.call_id);
    const correction = correctionText(e.correction);
    return html`<article class="example">
<header><a href="/console/calls/${e.call_id}">call ${e.call_id.slice(0, 8)}</a> · ${time(e.call_started_at)}</header>
<div class="grid2">
<div><h4>Input</h4><pre class="text">${call ? inputText(call.request_body) : '(call no longer stored)'}</pre></div>
<div><h4>Output</h4><pre class="text">${call ? outputText(call.response_body) : ''}</pre></div>
</div>
<h4>What failed</h4><p>${badge(e.kind)} ${e.rule_id ? html`<code>${e.rule_id}</code>` : ''} ${e.message}</p>
${e.evidence && Object.keys(e.evidence).length ? html`<details><summary>Evidence</summary>${jsonBlock(e.evidence)}</details>` : ''}
<h4>Correction</h4>${correction ? html`<pre class="text correction">${correction}</pre>` : html`<p class="muted">none given</p>`}
</article>`;
  })}`;
}

/** GET /console/patterns/:id: summary, diagnosis and reasons, examples, timeline, events; start a run. */
export const patternPage = pageHandler(async (c: ConsoleContext) => {
  const api = c.get('view').api;
  const id = c.req.param('id') ?? '';
  const p = await api.get<PatternDetail>(`/patterns/${encodeURIComponent(id)}`);
  if (p.merged_into) return c.redirect(`/console/patterns/${p.merged_into}`, 302);
  const [calls, runs] = await Promise.all([exampleCalls(api, p.examples.map((e) => e.call_id)), api.get<Page<RunSummary>>('/optimizations', { pattern: p.id, limit: 20 })]);
  const share = p.stats?.share24h;
  return render(
    c,
    { title: p.title, nav: 'patterns' },
    html`<dl class="facts">
<dt>Component</dt><dd><a href="/console/components/${encodeURIComponent(p.component)}">${p.component}</a></dd>
<dt>Status</dt><dd>${badge(p.status)} ${p.systematic ? 'systematic' : 'not (yet) systematic'}</dd>
<dt>Kind</dt><dd>${p.kind}${p.rule_id ? html` · <code>${p.rule_id}</code>` : ''}</dd>
<dt>Failures</dt><dd>${num(p.failure_count)} in all, ${num(p.stats?.windows?.h24 ?? 0)} in 24 h${share === undefined ? '' : html` (${percent(share)} of the component's calls)`}</dd>
<dt>First seen</dt><dd>${time(p.first_seen)}</dd><dt>Last seen</dt><dd>${time(p.last_seen)}</dd>
<dt>Remedy</dt><dd>${badge(p.remedy)}</dd>
</dl>
${actionButton(`/console/patterns/${p.id}/optimize`, 'Start an optimization run')}
<h2>Summary</h2><p class="summary">${p.summary ?? html`<span class="muted">none yet</span>`}</p>
${p.top_terms?.length ? html`<p class="muted">Top terms: ${p.top_terms.join(', ')}</p>` : ''}
<h2>Diagnosis</h2>${
      p.diagnosis
        ? html`<p>${badge(p.diagnosis.kind)} ${p.diagnosis.confidence === null ? '' : html`confidence ${percent(p.diagnosis.confidence, 0)}`} ${p.diagnosis.source ? html`<span class="muted">(${p.diagnosis.source})</span>` : ''}</p>${reasonList(p.diagnosis.reasons)}`
        : empty('Not diagnosed yet.')
    }
<h2>Examples</h2>${examples(p, calls)}
<h2>Timeline</h2>
<h3>Failures per hour, last 24 hours</h3>${countChart(hourlyFilled(p.timeline.hourly), { what: 'failures' })}
<h3>Failures per day, last 7 days</h3>${p.timeline.daily.length ? html`<table class="list compact"><tbody>${p.timeline.daily.map((d) => html`<tr><td>${d.at.slice(0, 10)}</td><td class="num">${num(d.failures)}</td></tr>`)}</tbody></table>` : empty('None.')}
<h2>Events</h2>${
      p.timeline.events.length
        ? html`<table class="list"><thead><tr><th>When</th><th>Event</th><th>From</th><th>To</th><th>Detail</th></tr></thead><tbody>${p.timeline.events.map(
            (e) => html`<tr><td>${time(e.at)}</td><td>${e.type}</td><td>${badge(e.from)}</td><td>${badge(e.to)}</td><td class="wrap"><code>${e.detail && Object.keys(e.detail).length ? JSON.stringify(e.detail) : ''}</code></td></tr>`,
          )}</tbody></table>`
        : empty('No events.')
    }
<h2>Optimization runs</h2>${runTable(runs.data)}`,
  );
});
