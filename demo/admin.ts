/**
 * The demo reads what the loop did through the gateway's admin API, as an operator's tools would (the
 * gateway runs in its own process, on its own embedded database).
 */

export class AdminClient {
  constructor(readonly url: string) {}

  async get<T>(path: string): Promise<T> {
    // A busy gateway on a loaded machine may drop a connection: try again before giving up.
    let res: Response | null = null;
    for (let attempt = 0; !res; attempt++) {
      res = await fetch(`${this.url}${path}`).catch((err: unknown) => {
        if (attempt >= 3) throw new Error(`GET ${path}: ${err instanceof Error ? `${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}` : String(err)}`);
        return null;
      });
      if (!res) await new Promise((r) => setTimeout(r, 1000));
    }
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  /** Every item of a paged list (`data`, `next_cursor`). */
  async list<T>(path: string): Promise<T[]> {
    const out: T[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 50; i++) {
      const sep = path.includes('?') ? '&' : '?';
      const page: { data: T[]; next_cursor?: string | null } = await this.get(`${path}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''}`);
      out.push(...page.data);
      cursor = page.next_cursor ?? null;
      if (!cursor) break;
    }
    return out;
  }
}
