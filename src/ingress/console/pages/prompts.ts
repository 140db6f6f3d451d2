import { html } from 'hono/html';
import type { PromptVersion, PromptsView } from '../api-types.ts';
import { pageHandler, render, type ConsoleContext } from '../context.ts';
import { badge, percent, seg, time, type Html } from '../format.ts';
import { actionButton, empty } from '../layout.ts';

/** The buttons a version offers: put on canary (with a share), promote, roll back — by where it stands. */
export function versionActions(v: PromptVersion, view: PromptsView, back: string): Html {
  const base = `/console/prompt-versions/${v.id}`;
  const buttons: Html[] = [];
  const live = v.id === view.active_version_id || v.id === view.canary_version_id;
  if (v.version > 0 && (v.status === 'candidate' || v.status === 'retired')) {
    buttons.push(
      actionButton(`${base}/canary`, 'Put on canary', {
        back,
        extra: html`<label>share <input name="share_percent" type="number" min="1" max="100" step="1" value="${Math.round((view.canary_share || 0.1) * 100)}" class="narrow"> %</label> `,
      }),
    );
  }
  if (v.version > 0 && v.status !== 'rolled_back' && v.id !== view.active_version_id) buttons.push(actionButton(`${base}/activate`, 'Promote', { back }));
  if (live) {
    buttons.push(
      actionButton(`${base}/rollback`, 'Roll back', { back, danger: true, extra: html`<label>reason <input name="reason" type="text" maxlength="2000" placeholder="optional"></label> ` }),
    );
  }
  return buttons.length ? html`<div class="actions">${buttons}</div>` : '';
}

function origin(v: PromptVersion): Html {
  const o = v.origin;
  return html`${o.source}${o.run_id ? html` · <a href="/console/runs/${o.run_id}">run</a>` : ''}${o.pattern_id ? html` · <a href="/console/patterns/${o.pattern_id}">pattern</a>` : ''}${o.recommendation_id ? html` · <a href="/console/recommendations/${o.recommendation_id}">recommendation</a>` : ''}${o.note ? html` · ${o.note}` : ''}`;
}

function versionCard(v: PromptVersion, view: PromptsView, back: string): Html {
  const role = v.id === view.active_version_id ? 'active' : v.id === view.canary_version_id ? `canary at ${percent(view.canary_share, 0)}` : '';
  return html`<article class="version" id="v${v.version}">
<header><strong>v${v.version}</strong> ${badge(v.status)} ${role ? html`<strong class="role">${role}</strong>` : ''} <span class="muted">${origin(v)} · ${time(v.created_at)}${v.model ? html` · model <code>${v.model}</code>` : ''}</span></header>
<details${role ? ' open' : ''}><summary>template (${v.template.length} characters${v.few_shot?.length ? `, ${v.few_shot.length} examples` : ''})</summary><pre class="text">${v.template}</pre>
${v.few_shot?.length ? html`<ol>${v.few_shot.map((f) => html`<li><pre class="text">user: ${f.user}\nassistant: ${f.assistant}</pre></li>`)}</ol>` : ''}</details>
${versionActions(v, view, back)}
</article>`;
}

/** GET /console/prompts/:component: the versions (newest first) with their buttons, the pointers and the audit trail. */
export const promptsPage = pageHandler(async (c: ConsoleContext) => {
  const component = c.req.param('component') ?? '';
  const view = await c.get('view').api.get<PromptsView>(`/components/${seg(component)}/prompts`);
  const back = `/console/prompts/${seg(component)}`;
  const byId = new Map(view.versions.map((v) => [v.id, v.version]));
  return render(
    c,
    { title: `Prompts of ${component}`, nav: 'components' },
    html`<p><a href="/console/components/${seg(component)}">Component ${component}</a></p>
<h2>Versions</h2>${view.versions.length ? [...view.versions].reverse().map((v) => versionCard(v, view, back)) : empty('No versions: the component has no calls with a system prompt in the last 7 days.')}
<h2>Audit trail</h2>${
      view.audit.length
        ? html`<table class="list"><thead><tr><th>When</th><th>Action</th><th>Version</th><th>By</th><th>Detail</th></tr></thead><tbody>${[...view.audit].reverse().map(
            (a) => html`<tr><td>${time(a.at)}</td><td>${badge(a.action)}</td><td>${a.version_id ? html`<a href="#v${byId.get(a.version_id) ?? ''}">v${byId.get(a.version_id) ?? '?'}</a>` : ''}</td><td>${a.actor}</td><td class="wrap"><code>${Object.keys(a.detail ?? {}).length ? JSON.stringify(a.detail) : ''}</code></td></tr>`,
          )}</tbody></table>`
        : empty('Nothing yet.')
    }`,
  );
});
