import { parseArgs } from 'node:util';
import type { Config } from '../config/index.ts';
import type { PatternDetailWire, PatternWire } from '../ingress/index.ts';
import { adminClient, errorMessageOf } from './admin-client.ts';

export const patternsHelp = `Usage: fixpoint patterns [options]          list patterns, largest first
       fixpoint patterns <pattern-id> [--json]  one pattern: statistics, diagnosis, examples, timeline

Reads the admin API of a running gateway (GET /api/patterns), so it works with the embedded database too.

Options:
  --component <name>   only this component
  --status <s>         emerging | systematic | resolved | regressed
  --diagnosis <d>      behavioral | knowledge | operational | unknown | undiagnosed
  --remedy <r>         prompt | finetune | prompt_then_finetune | watch
  --sort <key>         failures_24h (default: failures in the last 24 h) | failures (in all) | last_seen | created;
                       largest or latest first, ordered by the gateway over all patterns
  --limit <n>          at most n patterns (default 50)
  --url <url>          the gateway (default http://HOST:PORT from the environment)
  --json               print the API's JSON instead of a table
  -h, --help           show this help

The admin token is read from FIXPOINT_ADMIN_TOKEN (not needed on the gateway's own machine).`;

type PatternView = PatternWire;
type PatternDetail = PatternDetailWire;

/** Fixed-width columns; the last one takes what is left of the terminal. */
export function formatTable(header: string[], rows: string[][], width = 120): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fixed = widths.slice(0, -1).reduce((s, w) => s + w + 2, 0);
  widths[widths.length - 1] = Math.max(10, Math.min(widths.at(-1) ?? 10, width - fixed));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => {
        const w = widths[i] ?? 10;
        const text = c.length > w ? `${c.slice(0, w - 1)}…` : c;
        return i === cells.length - 1 ? text : text.padEnd(w);
      })
      .join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

const pct = (x: number | null | undefined): string => (x === undefined || x === null ? '-' : `${(x * 100).toFixed(1)}%`);

/** The patterns in the order the gateway sorted them (`sort`): the first page is the largest, not a sample. */
function tableOf(patterns: PatternView[], width: number): string {
  if (patterns.length === 0) return 'no patterns';
  const rows = patterns.map((p) => [
    p.id,
    p.component,
    p.status,
    p.diagnosis ? `${p.diagnosis.kind} ${(p.diagnosis.confidence ?? 0).toFixed(2)}` : '-',
    p.remedy,
    String(p.failure_count),
    String(p.stats?.windows.h24 ?? '-'),
    pct(p.stats?.share24h),
    p.title,
  ]);
  return formatTable(['ID', 'COMPONENT', 'STATUS', 'DIAGNOSIS', 'REMEDY', 'FAILURES', '24H', 'SHARE', 'TITLE'], rows, width);
}

function detailOf(p: PatternDetail): string {
  const s = p.stats;
  const lines = [
    `${p.title}`,
    `  id ${p.id} · component ${p.component} · kind ${p.kind} · status ${p.status} · remedy ${p.remedy}`,
    '',
    `  ${p.summary}`,
    '',
    `  failures: ${p.failure_count} in all; ${s ? `${s.windows.h1} in 1 h, ${s.windows.h24} in 24 h, ${s.windows.d7} in 7 d; ${pct(s.share24h)} of the component's calls in 24 h (lower bound ${pct(s.rate_lower_bound)} over 7 d); ${s.sessions} sessions, ${s.users} users` : 'statistics pending'}`,
    `  first seen ${p.first_seen}, last seen ${p.last_seen}${s && s.unmet.length > 0 ? `; not systematic: ${s.unmet.join(', ')}` : ''}`,
    `  diagnosis: ${p.diagnosis ? `${p.diagnosis.kind} (confidence ${(p.diagnosis.confidence ?? 0).toFixed(2)}, ${p.diagnosis.source})` : 'pending'}`,
    ...(p.diagnosis?.reasons ?? []).map((r) => `    - ${r}`),
    '',
    '  examples:',
    ...(p.examples ?? []).map((e) => `    ${e.call_started_at}  call ${e.call_id}  ${e.message.replace(/\s+/g, ' ').slice(0, 100)}`),
    '',
    '  timeline:',
    ...(p.timeline?.daily ?? []).map((d) => `    ${d.at.slice(0, 10)}  ${d.failures} failures`),
    ...(p.timeline?.events ?? []).map((e) => `    ${e.at}  ${e.type}${e.to ? ` → ${e.to}` : ''}`),
  ];
  return lines.join('\n');
}

function parseOptions(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      component: { type: 'string' },
      status: { type: 'string' },
      diagnosis: { type: 'string' },
      remedy: { type: 'string' },
      sort: { type: 'string' },
      limit: { type: 'string' },
      url: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

/** `fixpoint patterns`: prints the patterns API as a table (or one pattern's detail). Returns the exit code. */
export async function runPatternsCommand(argv: string[], config: Config, out: (s: string) => void = console.log, err: (s: string) => void = console.error): Promise<number> {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (e) {
    err(`fixpoint patterns: ${(e as Error).message}\n\n${patternsHelp}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out(patternsHelp);
    return 0;
  }
  const api = adminClient(config, values.url);
  const id = positionals[0];
  const query = new URLSearchParams();
  for (const k of ['component', 'status', 'diagnosis', 'remedy', 'sort', 'limit'] as const) {
    const v = values[k];
    if (v !== undefined) query.set(k, v);
  }
  const r = await api.call(id ? `/api/patterns/${encodeURIComponent(id)}` : `/api/patterns${query.size > 0 ? `?${query}` : ''}`);
  if (!r.ok) {
    err(`fixpoint patterns: ${errorMessageOf(r)}`);
    return 1;
  }
  const body = r.body;
  if (values.json) out(JSON.stringify(body, null, 2));
  else if (id) out(detailOf(body as unknown as PatternDetail));
  else out(tableOf((body as unknown as { data: PatternView[] }).data, process.stdout.columns || 160));
  return 0;
}
