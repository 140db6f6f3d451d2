import { html } from 'hono/html';
import type { Hono } from 'hono';
import { endSession, sameOrigin, startSession, tokenMatches } from './auth.ts';
import { field, render, type ConsoleContext, type ConsoleEnv } from './context.ts';

/** A console path to return to after login (never another site). */
export function nextPath(value: unknown): string {
  const s = field(value);
  return /^\/console(\/[^\\]*)?(\?.*)?$/.test(s) && !s.startsWith('//') && !s.startsWith('/console/login') ? s : '/console';
}

function loginForm(c: ConsoleContext, next: string, error: string | null, status: 200 | 401 | 403 = 200): Response | Promise<Response> {
  return render(
    c,
    { title: 'Log in' },
    html`${error ? html`<p class="flash flash-error" role="alert">${error}</p>` : ''}
<form method="post" action="/console/login" class="login">
<input type="hidden" name="next" value="${next}">
<label>Admin token (FIXPOINT_ADMIN_TOKEN) <input name="token" type="password" autocomplete="current-password" required autofocus></label>
<button type="submit">Log in</button>
</form>
<p class="muted">The console keeps a signed session cookie (HttpOnly, SameSite=Strict, 12 hours), not the token.</p>`,
    status,
  );
}

/** /console/login (the token for a session cookie) and /console/logout; without FIXPOINT_ADMIN_TOKEN there is nothing to log in to. */
export function loginRoutes(app: Hono<ConsoleEnv>, token: string | undefined): void {
  app.get('/login', (c) => (token ? loginForm(c, nextPath(c.req.query('next')), null) : c.redirect('/console', 302)));
  app.post('/login', async (c) => {
    if (!token) return c.redirect('/console', 303);
    if (!sameOrigin(c)) return loginForm(c, '/console', 'Refused: the login form must be sent from this console (Origin check).', 403);
    const form = await c.req.parseBody();
    const next = nextPath(form['next']);
    if (!tokenMatches(token, field(form['token']))) return loginForm(c, next, 'That is not the admin token.', 401);
    startSession(c, token);
    return c.redirect(next, 303);
  });
  app.post('/logout', (c) => {
    if (!sameOrigin(c)) return c.text('cross-site request refused', 403);
    endSession(c);
    return c.redirect(token ? '/console/login' : '/console', 303);
  });
}
