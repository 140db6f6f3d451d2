import type { Config } from '../config/index.ts';

export interface AdminResponse {
  ok: boolean;
  status: number;
  body: Record<string, unknown>;
}

/**
 * How the command line reaches a running gateway's admin API: `--url` or http://HOST:PORT from the
 * environment (a wildcard HOST means this machine), with FIXPOINT_ADMIN_TOKEN when it is set. A `body`
 * is sent as JSON.
 */
export function adminClient(config: Config, url: string | undefined): { base: string; call(path: string, method?: string, body?: unknown): Promise<AdminResponse> } {
  const host = config.env.HOST === '0.0.0.0' || config.env.HOST === '::' ? '127.0.0.1' : config.env.HOST;
  const base = (url ?? `http://${host.includes(':') ? `[${host}]` : host}:${config.env.PORT}`).replace(/\/+$/, '');
  const token = config.env.FIXPOINT_ADMIN_TOKEN;
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  return {
    base,
    async call(path, method = 'GET', body?: unknown) {
      let res: Response;
      try {
        res = await fetch(`${base}${path}`, body === undefined ? { method, headers } : { method, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      } catch (err) {
        throw new Error(`could not reach the gateway at ${base} (${(err as Error).message}); is \`fixpoint serve\` running? (--url)`);
      }
      return { ok: res.ok, status: res.status, body: ((await res.json().catch(() => ({}))) ?? {}) as Record<string, unknown> };
    },
  };
}

/** The message of an admin API error body. */
export function errorMessageOf(r: AdminResponse): string {
  return `${r.status} ${(r.body['error'] as { message?: string } | undefined)?.message ?? ''}`.trim();
}
