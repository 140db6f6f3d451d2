import { html } from 'hono/html';
import { callStatuses } from '../../../core/call-capture.ts';
import type { CallDetail, CallSummary } from '../api-types.ts';
import { outputText, requestTurns, correctionText } from '../call-text.ts';
import { listPage } from '../list-page.ts';
import { pageHandler, render, type ConsoleContext } from '../context.ts';
import { badge, jsonBlock, num, percent, seg, shortId, time, usd } from '../format.ts';
import { empty } from '../layout.ts';

/** A `datetime-local` value (taken as UTC) as the ISO time the API wants; anything else as typed (the API names what is wrong). */
function isoTime(value: string): string {
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(value) ? `${value}:00Z` : /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$/.test(value) ? `${value}Z` : value;
}

/** GET /console/calls: search by component, status, model, session, user and time range; newest first. */
export const callsPage = listPage<CallSummary>({
  path: '/console/calls',
  title: 'Calls',
  nav: 'calls',
  api: '/calls',
  fields: [
    { name: 'component', label: 'Component' },
    { name: 'status', label: 'Status', options: callStatuses },
    { name: 'model', label: 'Model' },
    { name: 'session', label: 'Session' },
    { name: 'user', label: 'User' },
    { name: 'from', label: 'From (UTC)', type: 'datetime-local' },
    { name: 'to', label: 'To (UTC)', type: 'datetime-local' },
  ],
  // `session` and `user` read better in a form; the API names them session_id and user_id.
  apiQuery: ({ session, user, from, to, ...rest }) => ({ ...rest, session_id: session, user_id: user, from: from ? isoTime(String(from)) : '', to: to ? isoTime(String(to)) : '' }),
  table: (rows) =>
    rows.length
      ? html`<table class="list"><thead><tr><th>Call</th><th>Started</th><th>Component</th><th>Model</th><th>Status</th><th class="num">Latency</th><th class="num">Tokens in/out</th><th class="num">Cost</th><th>Session</th><th>User</th></tr></thead><tbody>${rows.map(
          (r) => html`<tr><td><a href="/console/calls/${r.id}">${shortId(r.id)}</a></td><td>${time(r.started_at)}</td><td><a href="/console/components/${seg(r.component)}">${r.component}</a></td><td><code>${r.served_model ?? r.requested_model ?? ''}</code></td>
<td>${badge(r.status)} ${r.http_status ?? ''}</td><td class="num">${r.latency_ms === null ? '–' : `${num(r.latency_ms)} ms`}</td><td class="num">${num(r.input_tokens)}/${num(r.output_tokens)}</td><td class="num">${usd(r.cost_usd)}</td>
<td>${r.session_id ? html`<a href="/console/calls?session=${encodeURIComponent(r.session_id)}">${r.session_id}</a>` : ''}</td><td>${r.user_id ? html`<a href="/console/calls?user=${encodeURIComponent(r.user_id)}">${r.user_id}</a>` : ''}</td></tr>`,
        )}</tbody></table>`
      : empty('No calls match.'),
});

/** GET /console/calls/:id: the request, the response, failures, judge verdicts and feedback. */
export const callPage = pageHandler(async (c: ConsoleContext) => {
  const call = await c.get('view').api.get<CallDetail>(`/calls/${encodeURIComponent(c.req.param('id') ?? '')}`);
  const turns = requestTurns(call.request_body);
  return render(
    c,
    { title: `Call ${call.id.slice(0, 8)}`, nav: 'calls' },
    html`<dl class="facts">
<dt>Call id</dt><dd><code>${call.id}</code></dd><dt>Started</dt><dd>${time(call.started_at)}</dd>
<dt>Component</dt><dd><a href="/console/components/${seg(call.component)}">${call.component}</a></dd><dt>Route</dt><dd>${call.route}${call.stream ? ' (stream)' : ''}</dd>
<dt>Model</dt><dd><code>${call.requested_model ?? ''}</code>${call.served_model && call.served_model !== call.requested_model ? html` → <code>${call.served_model}</code>` : ''} on ${call.provider ?? '–'}</dd>
<dt>Status</dt><dd>${badge(call.status)} ${call.http_status ?? ''}${call.finish_reasons?.length ? ` · finish ${call.finish_reasons.join(', ')}` : ''}</dd>
<dt>Latency</dt><dd>${call.latency_ms === null ? '–' : `${num(call.latency_ms)} ms`}</dd><dt>Tokens</dt><dd>${num(call.input_tokens)} in, ${num(call.output_tokens)} out · ${usd(call.cost_usd)}</dd>
<dt>Session</dt><dd>${call.session_id ?? '–'}</dd><dt>User</dt><dd>${call.user_id ?? '–'}</dd>
${call.prompt_version_id ? html`<dt>Prompt version</dt><dd><a href="/console/prompts/${seg(call.component)}">${call.prompt_version_id.slice(0, 8)}</a></dd>` : ''}
${Object.keys(call.properties ?? {}).length ? html`<dt>Properties</dt><dd>${Object.entries(call.properties).map(([k, v]) => html`<code>${k}=${v}</code> `)}</dd>` : ''}
</dl>
${call.error ? html`<p class="flash flash-error">${call.error}</p>` : ''}
<h2>Request</h2>${turns.length ? html`<div class="turns">${turns.map((t) => html`<div class="turn turn-${t.role.replace(/[^a-z_]/g, '')}"><span class="role">${t.role}</span><pre class="text">${t.text}</pre></div>`)}</div>` : ''}
<details><summary>Request JSON</summary>${jsonBlock(call.request_body)}</details>
<h2>Response</h2><pre class="text">${outputText(call.response_body)}</pre>
<details><summary>Response JSON</summary>${jsonBlock(call.response_body)}</details>
<h2>Failures</h2>${
      call.failures.length
        ? html`<table class="list"><thead><tr><th>Kind</th><th>Rule</th><th>What failed</th><th>Pattern</th><th>Correction</th></tr></thead><tbody>${call.failures.map(
            (f) => html`<tr><td>${badge(f.kind)}</td><td><code>${f.rule_id ?? ''}</code></td><td class="wrap">${f.message}</td><td>${f.pattern_id ? html`<a href="/console/patterns/${f.pattern_id}">${f.pattern_id.slice(0, 8)}</a>` : ''}</td><td class="wrap">${correctionText(f.correction)}</td></tr>`,
          )}</tbody></table>`
        : call.evaluation
          ? empty('None: the call passed its checks.')
          : empty('Not evaluated yet.')
    }
<h2>Judge verdicts</h2>${
      call.verdicts.length
        ? html`<table class="list"><thead><tr><th>Verdict</th><th class="num">Score</th><th>Failed criteria</th><th>Rationale</th><th>Judge</th></tr></thead><tbody>${call.verdicts.map(
            (v) => html`<tr><td>${badge(v.pass ? 'pass' : 'fail')}</td><td class="num">${v.score === null ? '–' : percent(v.score, 0)}</td><td>${v.failed_criteria.join(', ')}</td><td class="wrap">${v.rationale ?? ''}</td><td><code>${v.judge_model}</code> ${v.rubric_version}</td></tr>`,
          )}</tbody></table>`
        : empty('Not judged.')
    }
<h2>Feedback</h2>${
      call.feedback.length
        ? html`<table class="list"><thead><tr><th>Rating</th><th>Comment</th><th>Correction</th><th>From</th></tr></thead><tbody>${call.feedback.map(
            (f) => html`<tr><td>${f.rating ?? '–'}</td><td class="wrap">${f.comment ?? ''}</td><td class="wrap">${correctionText(f.correction)}</td><td>${f.source}</td></tr>`,
          )}</tbody></table>`
        : empty('None.')
    }`,
  );
});
