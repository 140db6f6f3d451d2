import { html } from 'hono/html';
import type { ConsoleApi } from '../api-client.ts';
import type { ComponentEntry, Page, PatternView, PromptsView, Recommendation, RunSummary, TrafficSeries } from '../api-types.ts';
import { trafficChart } from '../chart.ts';
import { pageHandler, render, type ConsoleContext } from '../context.ts';
import { badge, num, percent, seg, shortId, time, type Html } from '../format.ts';
import { empty } from '../layout.ts';

/** The traffic figures of GET /api/components. */
function traffic(t: ComponentEntry['traffic']): { calls24h: number; calls7d: number; failed24h: number; lastSeen: string | null } {
  return { calls24h: t.calls_24h, calls7d: t.calls_7d, failed24h: t.failed_calls_24h, lastSeen: t.last_seen };
}

/** `v3` of a version id among the component's versions, `v0 (agent's own)` for none. */
function versionLabel(view: PromptsView, id: string | null): Html {
  if (!id) return html`<span class="muted">agent's own prompt</span>`;
  const v = view.versions.find((x) => x.id === id);
  return html`<a href="/console/prompts/${seg(view.component)}#v${v?.version ?? ''}">v${v?.version ?? '?'}</a>`;
}

function pointers(view: PromptsView): { active: Html; canary: Html } {
  return {
    active: versionLabel(view, view.active_version_id),
    canary: view.canary_version_id ? html`${versionLabel(view, view.canary_version_id)} at ${percent(view.canary_share, 0)}` : html`<span class="muted">none</span>`,
  };
}

async function componentRows(api: ConsoleApi, list: ComponentEntry[]): Promise<Html[]> {
  return Promise.all(
    list.map(async (entry) => {
      const [series, prompts] = await Promise.all([
        api.get<TrafficSeries>(`/components/${seg(entry.component)}/traffic`, { bucket: 'hour' }),
        api.get<PromptsView>(`/components/${seg(entry.component)}/prompts`),
      ]);
      const t = traffic(entry.traffic);
      const p = pointers(prompts);
      return html`<tr>
<td><a href="/console/components/${seg(entry.component)}">${entry.component}</a>${entry.declared ? '' : html` <span class="muted" title="seen in traffic, not declared in FIXPOINT_CONFIG">(observed)</span>`}</td>
<td class="num">${num(t.calls24h)}</td><td class="num">${num(t.calls7d)}</td><td class="num">${num(t.failed24h)}</td>
<td class="num">${t.calls24h > 0 ? percent(t.failed24h / t.calls24h) : '–'}</td>
<td>${trafficChart(series.data, { bucket: 'hour', width: 160, height: 32, compact: true })}</td>
<td>${p.active}</td><td>${p.canary}</td><td>${time(t.lastSeen)}</td>
</tr>`;
    }),
  );
}

/** GET /console: every component with traffic, failure rate over the last 24 hours, active prompt version and canary. */
export const componentsPage = pageHandler(async (c: ConsoleContext) => {
  const api = c.get('view').api;
  const { data } = await api.get<{ data: ComponentEntry[] }>('/components');
  const rows = await componentRows(api, data.slice(0, 100));
  return render(
    c,
    { title: 'Components', nav: 'components' },
    data.length === 0
      ? empty('No components yet: send a call through the gateway (a component is named by the x-fixpoint-component header or derived from the system prompt).')
      : html`<table class="list">
<thead><tr><th>Component</th><th class="num">Calls 24 h</th><th class="num">Calls 7 d</th><th class="num">Failed 24 h</th><th class="num">Failure rate 24 h</th><th>Failure rate, last 24 h</th><th>Active prompt</th><th>Canary</th><th>Last call</th></tr></thead>
<tbody>${rows}</tbody>
</table>${data.length > 100 ? html`<p class="muted">The first 100 of ${data.length} components, by calls in 7 days.</p>` : ''}`,
  );
});

/** GET /console/components/:name: traffic charts, prompt pointers, checks, its patterns, runs and recommendations. */
export const componentPage = pageHandler(async (c: ConsoleContext) => {
  const api = c.get('view').api;
  const name = c.req.param('name') ?? '';
  const [list, hourly, daily, prompts, patterns, runs, recs] = await Promise.all([
    api.get<{ data: ComponentEntry[] }>('/components'),
    api.get<TrafficSeries>(`/components/${seg(name)}/traffic`, { bucket: 'hour' }),
    api.get<TrafficSeries>(`/components/${seg(name)}/traffic`, { bucket: 'day' }),
    api.get<PromptsView>(`/components/${seg(name)}/prompts`),
    api.get<Page<PatternView>>('/patterns', { component: name, limit: 10 }),
    api.get<Page<RunSummary>>('/optimizations', { component: name, limit: 10 }),
    api.get<Page<Recommendation>>('/recommendations', { component: name, limit: 5 }),
  ]);
  const entry = list.data.find((e) => e.component === name);
  const t = entry ? traffic(entry.traffic) : { calls24h: 0, calls7d: 0, failed24h: 0, lastSeen: null };
  const p = pointers(prompts);
  return render(
    c,
    { title: `Component ${name}`, nav: 'components' },
    html`<dl class="facts">
<dt>Calls 24 h</dt><dd>${num(t.calls24h)}</dd><dt>Failed 24 h</dt><dd>${num(t.failed24h)} (${t.calls24h ? percent(t.failed24h / t.calls24h) : '–'})</dd>
<dt>Calls 7 d</dt><dd>${num(t.calls7d)}</dd><dt>Last call</dt><dd>${time(t.lastSeen)}</dd>
<dt>Active prompt</dt><dd>${p.active}</dd><dt>Canary</dt><dd>${p.canary}</dd>
<dt>Checks</dt><dd>${entry?.rules.length ? entry.rules.map((r) => html`<code>${r.id}</code> (${r.type}) `) : html`<span class="muted">built-in checks only</span>`}${entry?.judge ? html`; judge <code>${entry.judge.model}</code> on ${percent(entry.judge.sample_rate, 0)} of calls` : ''}</dd>
</dl>
<p><a href="/console/prompts/${seg(name)}">Prompt versions and audit trail</a> · <a href="/console/calls?component=${seg(name)}">Calls</a> · <a href="/console/patterns?component=${seg(name)}">All patterns</a></p>
<h2>Last 24 hours</h2>${trafficChart(hourly.data, { bucket: 'hour' })}
<h2>Last 7 days</h2>${trafficChart(daily.data, { bucket: 'day' })}
<h2>Patterns</h2>${patternTable(patterns.data)}
<h2>Optimization runs</h2>${runTable(runs.data)}
<h2>Fine-tuning recommendations</h2>${recs.data.length ? html`<ul>${recs.data.map((r) => html`<li><a href="/console/recommendations/${r.id}">${shortId(r.id)}</a> ${badge(r.status)} ${time(r.created_at)}</li>`)}</ul>` : empty('None.')}`,
  );
});

export function patternTable(rows: PatternView[]): Html {
  if (rows.length === 0) return empty('No patterns.');
  return html`<table class="list"><thead><tr><th>Pattern</th><th>Component</th><th>Kind</th><th>Status</th><th>Diagnosis</th><th>Remedy</th><th class="num">Failures 24 h</th><th class="num">Failures</th><th>Last seen</th></tr></thead>
<tbody>${rows.map(
    (p) => html`<tr><td><a href="/console/patterns/${p.id}">${p.title}</a></td><td>${p.component}</td><td>${p.kind}</td><td>${badge(p.status)}</td><td>${p.diagnosis ? badge(p.diagnosis.kind) : html`<span class="muted">undiagnosed</span>`}</td><td>${badge(p.remedy)}</td>
<td class="num">${num(p.stats?.windows?.h24 ?? 0)}</td><td class="num">${num(p.failure_count)}</td><td>${time(p.last_seen)}</td></tr>`,
  )}</tbody></table>`;
}

export function runTable(rows: RunSummary[]): Html {
  if (rows.length === 0) return empty('No runs.');
  return html`<table class="list"><thead><tr><th>Run</th><th>Component</th><th>Status</th><th>Outcome</th><th>Trigger</th><th class="num">Replays</th><th class="num">Cost</th><th>Created</th><th>Result</th></tr></thead>
<tbody>${rows.map(
    (r) => html`<tr><td><a href="/console/runs/${r.id}">${shortId(r.id)}</a></td><td>${r.component}</td><td>${badge(r.status)}</td><td>${badge(r.outcome)}</td><td>${r.trigger}</td><td class="num">${num(r.eval_calls)}</td><td class="num">$${(r.cost_usd ?? 0).toFixed(4)}</td><td>${time(r.created_at)}</td><td class="wrap">${r.result ?? ''}</td></tr>`,
  )}</tbody></table>`;
}
