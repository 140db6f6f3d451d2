import { parseArgs } from 'node:util';
import type { Config } from '../config/index.ts';
import type { OptimizationRunWire } from '../ingress/index.ts';
import { adminClient, errorMessageOf } from './admin-client.ts';

export const optimizeHelp = `Usage: fixpoint optimize <pattern-id> [--wait] [--url <url>] [--json]

Starts a prompt optimization run for a pattern on a running gateway (POST /api/patterns/:id/optimize).
With --wait, follows the run (GET /api/optimizations/:id, every second) until it ends, printing its
progress to stderr as it goes (candidates tried, replays used, the best so far), then its outcome.

Options:
  --wait         wait for the run to end (exit 0 when a prompt was accepted, 3 when it could not fix the pattern)
  --url <url>    the gateway (default http://HOST:PORT from the environment)
  --json         print the API's JSON
  -h, --help     show this help

The admin token is read from FIXPOINT_ADMIN_TOKEN (not needed on the gateway's own machine).`;

/** What the command reads of GET /api/optimizations/:id. */
export type RunView = Pick<OptimizationRunWire, 'id' | 'status' | 'result' | 'eval_calls' | 'seconds' | 'winner_version_id'> & { candidates: Candidate[] };

type Candidate = Pick<OptimizationRunWire['candidates'][number], 'id' | 'rejected' | 'scores'>;

const rate = (s: { passed: number; total: number } | undefined): number => (s && s.total > 0 ? s.passed / s.total : -1);

/** The set candidates are compared on: selection when they have it, else the first set scored. */
function comparisonSet(candidates: Candidate[]): string | undefined {
  const sets = candidates.flatMap((c) => Object.keys(c.scores));
  return sets.includes('selection') ? 'selection' : sets[0];
}

function elapsed(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/**
 * One line of a run in progress: candidates tried (the current prompt aside), replays used, and the
 * best candidate so far on the comparison set, next to the current prompt's score.
 */
export function progressLine(r: RunView): string {
  const tried = r.candidates.filter((c) => c.id !== 'current');
  const set = comparisonSet(r.candidates);
  const parts = [`${tried.length} candidate${tried.length === 1 ? '' : 's'} tried`, `${r.eval_calls} replay${r.eval_calls === 1 ? '' : 's'} used`];
  if (set) {
    const scored = tried.filter((c) => !c.rejected && c.scores[set]);
    const best = scored.reduce<Candidate | undefined>((b, c) => (b === undefined || rate(c.scores[set]) > rate(b.scores[set]) ? c : b), undefined);
    const current = r.candidates.find((c) => c.id === 'current')?.scores[set];
    const score = (s: { passed: number; total: number }) => `${s.passed}/${s.total}`;
    if (best?.scores[set]) parts.push(`best so far ${best.id} ${set} ${score(best.scores[set])}${current ? ` (current prompt ${score(current)})` : ''}`);
    else if (current) parts.push(`current prompt ${set} ${score(current)}`);
  }
  return `${r.status}: ${parts.join(', ')}`;
}

function summary(r: RunView): string {
  const lines = [`run ${r.id}: ${r.status}${r.result ? ` — ${r.result}` : ''}`, `  ${r.eval_calls} replays${r.seconds !== null ? `, ${r.seconds.toFixed(1)} s` : ''}`];
  for (const c of r.candidates) {
    const scores = Object.entries(c.scores).map(([set, s]) => `${set} ${s.passed}/${s.total}`).join(', ');
    lines.push(`  ${c.id.padEnd(8)} ${c.rejected ? `rejected: ${c.rejected}` : scores}`);
  }
  return lines.join('\n');
}

/**
 * `fixpoint optimize`: starts (and optionally follows) a run through the admin API. Results go to
 * `out`, errors and progress to `err`. Returns the exit code.
 */
export async function runOptimizeCommand(argv: string[], config: Config, out: (s: string) => void = console.log, err: (s: string) => void = console.error, pollMs = 1000): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { wait: { type: 'boolean', default: false }, url: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } } });
  } catch (e) {
    err(`fixpoint optimize: ${(e as Error).message}\n\n${optimizeHelp}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out(optimizeHelp);
    return 0;
  }
  const patternId = positionals[0];
  if (!patternId) {
    err(`fixpoint optimize: a pattern id is required (see fixpoint patterns)\n\n${optimizeHelp}`);
    return 2;
  }
  const { call } = adminClient(config, values.url);
  const started = await call(`/api/patterns/${encodeURIComponent(patternId)}/optimize`, 'POST');
  if (!started.ok) {
    err(`fixpoint optimize: ${errorMessageOf(started)}`);
    return 1;
  }
  const runId = started.body['id'] as string;
  if (!values.wait) {
    out(values.json ? JSON.stringify(started.body, null, 2) : `run ${runId} queued for pattern ${patternId}; follow it with GET /api/optimizations/${runId}`);
    return 0;
  }
  err(`run ${runId} queued for pattern ${patternId}; waiting for it to end (Ctrl-C stops waiting, not the run)`);
  const since = Date.now();
  let last = '';
  let lastAt = 0;
  for (;;) {
    const r = await call(`/api/optimizations/${runId}`);
    if (!r.ok) {
      err(`fixpoint optimize: ${errorMessageOf(r)}`);
      return 1;
    }
    const run = r.body as unknown as RunView;
    if (run.status !== 'queued' && run.status !== 'running') {
      out(values.json ? JSON.stringify(run, null, 2) : summary(run));
      return run.status === 'accepted' ? 0 : run.status === 'not_fixed' ? 3 : 1;
    }
    // A line when something moved, and one every 30 s while nothing does, so a long run is never silent.
    const line = progressLine({ ...run, candidates: run.candidates ?? [] });
    if (line !== last || Date.now() - lastAt >= 30_000) {
      err(`  ${elapsed(Date.now() - since)}  ${line}`);
      last = line;
      lastAt = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
