import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { html } from 'hono/html';
import type { IngressDeps } from '../deps.ts';
import { consoleActions } from './actions.ts';
import { apiFor, ApiError, type ApiTarget } from './api-client.ts';
import { consoleAccess, refusalText, sameOrigin, securityHeaders } from './auth.ts';
import { pageHandler, render, renderApiError, type ConsoleEnv } from './context.ts';
import { loginRoutes } from './login.ts';
import { callPage, callsPage } from './pages/calls.ts';
import { componentPage, componentsPage } from './pages/components.ts';
import { patternPage } from './pages/pattern.ts';
import { patternsPage } from './pages/patterns.ts';
import { promptsPage } from './pages/prompts.ts';
import { recommendationPage, recommendationsPage } from './pages/recommendations.ts';
import { runPage, runsPage } from './pages/runs.ts';
import { consoleCss, consoleCssEtag } from './style.ts';

/**
 * The web console at /console: server-rendered pages over the admin API (asked in-process through
 * `target`, the gateway's app), forms that POST to the API's own operations and redirect back.
 * Auth as the API: FIXPOINT_ADMIN_TOKEN → a login and a session cookie; without it, local clients only.
 * Every POST must come from this origin (CSRF). See docs/console.md.
 */
export function consoleApp(deps: Pick<IngressDeps, 'config'>, target: ApiTarget): Hono<ConsoleEnv> {
  const token = deps.config.env.FIXPOINT_ADMIN_TOKEN;
  const app = new Hono<ConsoleEnv>();
  app.use('*', securityHeaders);

  // Console forms are a few fields.
  app.post('*', bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.text('a console form is limited to 64 KiB', 413) }));
  app.get('/console.css', (c) => {
    if (c.req.header('if-none-match') === consoleCssEtag) return c.body(null, 304);
    return c.body(consoleCss, 200, { 'content-type': 'text/css; charset=utf-8', etag: consoleCssEtag, 'cache-control': 'no-cache' });
  });
  loginRoutes(app, token);

  app.use('*', async (c, next) => {
    const access = consoleAccess(c, token);
    if (!access.ok) {
      if (access.reason === 'login') {
        if (c.req.method === 'GET' || c.req.method === 'HEAD') return c.redirect(`/console/login?next=${encodeURIComponent(c.req.path + (new URL(c.req.url).search || ''))}`, 302);
        return c.text('log in first: /console/login', 401);
      }
      return render(c, { title: 'Not allowed' }, html`<p class="flash flash-error">${refusalText[access.reason]}</p>`, 403);
    }
    if (c.req.method === 'POST' && !sameOrigin(c)) {
      return render(c, { title: 'Refused' }, html`<p class="flash flash-error">A console action must be sent from the console itself: this request's Origin (or Referer) is another site's, or missing.</p>`, 403);
    }
    c.set('view', { api: apiFor(c.env, target, token), session: access.session });
    await next();
  });

  app.get('/', componentsPage);
  app.get('/components/:name', componentPage);
  app.get('/patterns', patternsPage);
  app.get('/patterns/:id', patternPage);
  app.get('/runs', runsPage);
  app.get('/runs/:id', runPage);
  app.get('/prompts/:component', promptsPage);
  app.get('/recommendations', recommendationsPage);
  app.get('/recommendations/:id', recommendationPage);
  app.get('/calls', callsPage);
  app.get('/calls/:id', callPage);
  app.get(
    '/datasets/:id/files/:name',
    pageHandler(async (c) => c.get('view').api.raw(`/datasets/${encodeURIComponent(c.req.param('id') ?? '')}/files/${encodeURIComponent(c.req.param('name') ?? '')}`)),
  );
  consoleActions(app);

  app.all('*', (c) => {
    // A trailing slash finds the page without it.
    if (c.req.method === 'GET' && c.req.path.endsWith('/')) return c.redirect(c.req.path.replace(/\/+$/, '') + (new URL(c.req.url).search || ''), 301);
    return renderApiError(c, new ApiError(404, `no console page ${c.req.method} ${c.req.path}`));
  });
  return app;
}
