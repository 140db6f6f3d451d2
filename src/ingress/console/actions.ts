import type { Hono } from 'hono';
import { ApiError } from './api-client.ts';
import { field, setFlash, type ConsoleContext, type ConsoleEnv } from './context.ts';

/** Where to go back to: a console path from the form, or the fallback (never another site). */
function backTo(value: unknown, fallback: string): string {
  const s = field(value);
  return /^\/console(\/[^\\]*)?$/.test(s) && !s.startsWith('//') ? s : fallback;
}

/**
 * A console button: runs the admin API's own POST (same validation, same audit), then redirects
 * (POST-redirect-GET) with the outcome as a flash message; an API refusal becomes an error flash.
 */
function action(run: (c: ConsoleContext, form: Record<string, unknown>) => Promise<{ text: string; to?: string }>, fallback: (c: ConsoleContext) => string) {
  return async (c: ConsoleContext): Promise<Response> => {
    const form = await c.req.parseBody();
    const back = backTo(form['back'], fallback(c));
    try {
      const done = await run(c, form);
      setFlash(c, { kind: 'ok', text: done.text });
      return c.redirect(done.to ?? back, 303);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      setFlash(c, { kind: 'error', text: err.message });
      return c.redirect(back, 303);
    }
  };
}

const id = (c: ConsoleContext): string => encodeURIComponent(c.req.param('id') ?? '');

interface Moved {
  component: string;
  version: { version: number };
  active_version_id: string | null;
}

/** The console's POST routes: start a run; canary, promote, roll back a prompt version; approve, dismiss, cancel a recommendation. */
export function consoleActions(app: Hono<ConsoleEnv>): void {
  app.post(
    '/patterns/:id/optimize',
    action(
      async (c) => {
        const run = await c.get('view').api.post<{ id: string }>(`/patterns/${id(c)}/optimize`);
        return { text: `Optimization run ${run.id.slice(0, 8)} queued.`, to: `/console/runs/${run.id}` };
      },
      (c) => `/console/patterns/${id(c)}`,
    ),
  );

  const promptsOf = (m: Moved) => `/console/prompts/${encodeURIComponent(m.component)}`;
  app.post(
    '/prompt-versions/:id/canary',
    action(
      async (c, form) => {
        const pct = Number(field(form['share_percent']));
        const body = field(form['share_percent']) === '' ? {} : { share: Number.isFinite(pct) ? pct / 100 : -1 };
        const m = await c.get('view').api.post<Moved>(`/prompts/${id(c)}/canary`, body);
        return { text: `Version ${m.version.version} of ${m.component} is on canary.`, to: field(form['back']) ? undefined : promptsOf(m) };
      },
      () => '/console',
    ),
  );
  app.post(
    '/prompt-versions/:id/activate',
    action(
      async (c, form) => {
        const m = await c.get('view').api.post<Moved>(`/prompts/${id(c)}/activate`);
        return { text: `Version ${m.version.version} of ${m.component} is active.`, to: field(form['back']) ? undefined : promptsOf(m) };
      },
      () => '/console',
    ),
  );
  app.post(
    '/prompt-versions/:id/rollback',
    action(
      async (c, form) => {
        const reason = field(form['reason']);
        const m = await c.get('view').api.post<Moved>(`/prompts/${id(c)}/rollback`, reason ? { reason } : {});
        return { text: `Version ${m.version.version} of ${m.component} rolled back.`, to: field(form['back']) ? undefined : promptsOf(m) };
      },
      () => '/console',
    ),
  );

  for (const [verb, done] of [
    ['approve', 'approved: the dataset is built and training starts'],
    ['dismiss', 'dismissed'],
    ['cancel', 'cancelled'],
  ] as const) {
    app.post(
      `/recommendations/:id/${verb}`,
      action(
        async (c, form) => {
          const reason = field(form['reason']);
          await c.get('view').api.post(`/recommendations/${id(c)}/${verb}`, reason && verb !== 'approve' ? { reason } : {});
          return { text: `Recommendation ${done}.` };
        },
        (c) => `/console/recommendations/${id(c)}`,
      ),
    );
  }
}
