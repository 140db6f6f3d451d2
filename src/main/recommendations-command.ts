import { parseArgs } from 'node:util';
import type { Config } from '../config/index.ts';
import { adminClient, errorMessageOf, type AdminResponse } from './admin-client.ts';
import { recommendationDetail, recommendationsTable, type RecommendationDetail, type RecommendationItem } from './recommendations-view.ts';

export const recommendationsHelp = `Usage: fixpoint recommendations [--status S] [--component C] [--json]   list fine-tuning recommendations
       fixpoint recommendations show <id> [--json]                       one in full: arithmetic, patterns, training job, events
       fixpoint recommendations approve <id>                             build the dataset and train
       fixpoint recommendations dismiss <id> [--reason <text>]           say no (a later one may come for the component)
       fixpoint recommendations cancel <id>                              stop an approved or running one

Reads the admin API of a running gateway (/api/recommendations). <id> may be the 8-character prefix the list shows.

Options:
  --status <s>         needs_examples | open | approved | training | evaluating | canary | promoted | rejected | failed | dismissed
  --component <name>   only this component
  --limit <n>          at most n recommendations (default: the API's)
  --cursor <c>         the page after this cursor (the list prints it when there are more)
  --reason <text>      dismiss: why (kept in the recommendation's events)
  --url <url>          the gateway (default http://HOST:PORT from the environment)
  --json               print the API's JSON instead of a table
  -h, --help           show this help

The admin token is read from FIXPOINT_ADMIN_TOKEN (not needed on the gateway's own machine).`;

const actions = ['show', 'approve', 'dismiss', 'cancel'] as const;
type Action = (typeof actions)[number];
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function parseOptions(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      status: { type: 'string' },
      component: { type: 'string' },
      limit: { type: 'string' },
      cursor: { type: 'string' },
      reason: { type: 'string' },
      url: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

type Api = ReturnType<typeof adminClient>;

class CommandError extends Error {}

function check(r: AdminResponse): Record<string, unknown> {
  if (!r.ok) throw new CommandError(errorMessageOf(r));
  return r.body;
}

/** A full id as given, or the one recommendation whose id starts with the given prefix. */
async function resolveId(api: Api, given: string): Promise<string> {
  if (uuidPattern.test(given)) return given;
  const prefix = given.toLowerCase();
  const found = new Set<string>();
  let cursor: string | null = null;
  for (let page = 0; page < 20; page++) {
    const query = new URLSearchParams({ limit: '100', ...(cursor ? { cursor } : {}) });
    const body = check(await api.call(`/api/recommendations?${query}`));
    for (const r of (body['data'] as RecommendationItem[] | undefined) ?? []) if (r.id.toLowerCase().startsWith(prefix)) found.add(r.id);
    cursor = typeof body['next_cursor'] === 'string' ? body['next_cursor'] : null;
    if (!cursor) break;
  }
  const [only, ...more] = found;
  if (!only) throw new CommandError(`no recommendation with id ${given}`);
  if (more.length > 0) throw new CommandError(`${given} matches ${found.size} recommendations; give more of the id`);
  return only;
}

async function list(api: Api, values: ReturnType<typeof parseOptions>['values'], out: (s: string) => void): Promise<void> {
  const query = new URLSearchParams();
  for (const k of ['status', 'component', 'limit', 'cursor'] as const) {
    const v = values[k];
    if (v !== undefined) query.set(k, v);
  }
  const body = check(await api.call(`/api/recommendations${query.size > 0 ? `?${query}` : ''}`));
  if (values.json) return out(JSON.stringify(body, null, 2));
  out(recommendationsTable((body['data'] as RecommendationItem[] | undefined) ?? [], process.stdout.columns || 160));
  if (typeof body['next_cursor'] === 'string') out(`more: fixpoint recommendations --cursor ${body['next_cursor']}`);
}

const pastTense: Record<Exclude<Action, 'show'>, string> = { approve: 'approved', dismiss: 'dismissed', cancel: 'cancelled' };

async function act(api: Api, action: Action, given: string, values: ReturnType<typeof parseOptions>['values'], out: (s: string) => void): Promise<void> {
  const id = await resolveId(api, given);
  const path = `/api/recommendations/${encodeURIComponent(id)}`;
  if (action === 'show') {
    const body = check(await api.call(path));
    return out(values.json ? JSON.stringify(body, null, 2) : recommendationDetail(body as unknown as RecommendationDetail));
  }
  const body = check(await api.call(`${path}/${action}`, 'POST', action === 'dismiss' && values.reason ? { reason: values.reason } : {}));
  if (values.json) return out(JSON.stringify(body, null, 2));
  const r = body as unknown as RecommendationItem;
  out(`recommendation ${r.id} (${r.component}) ${pastTense[action]}: status ${r.status}; see fixpoint recommendations show ${r.id.slice(0, 8)}`);
}

/** `fixpoint recommendations`: lists, shows, approves, dismisses or cancels through the admin API. Returns the exit code. */
export async function runRecommendationsCommand(argv: string[], config: Config, out: (s: string) => void = console.log, err: (s: string) => void = console.error): Promise<number> {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (e) {
    err(`fixpoint recommendations: ${(e as Error).message}\n\n${recommendationsHelp}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out(recommendationsHelp);
    return 0;
  }
  const [first, ...rest] = positionals;
  let action: Action | 'list' = 'list';
  let id: string | undefined;
  let extra: string[] = [];
  if ((actions as readonly string[]).includes(first ?? '')) [action, id, extra] = [first as Action, rest[0], rest.slice(1)];
  // `fixpoint recommendations <id>` is `show <id>`, as with patterns.
  else if (first !== undefined && uuidPattern.test(first)) [action, id, extra] = ['show', first, rest];
  else if (first !== undefined) {
    err(`fixpoint recommendations: unknown subcommand ${first}\n\n${recommendationsHelp}`);
    return 2;
  }
  if (action !== 'list' && !id) {
    err(`fixpoint recommendations ${action}: a recommendation id is required (see fixpoint recommendations)\n\n${recommendationsHelp}`);
    return 2;
  }
  if (extra.length > 0) {
    err(`fixpoint recommendations: unexpected argument ${extra[0]}${action === 'dismiss' ? ' (quote the reason: --reason "...")' : ''}`);
    return 2;
  }
  const api = adminClient(config, values.url);
  try {
    if (action === 'list') await list(api, values, out);
    else await act(api, action, id ?? '', values, out);
    return 0;
  } catch (e) {
    err(`fixpoint recommendations: ${(e as Error).message}`);
    return 1;
  }
}
