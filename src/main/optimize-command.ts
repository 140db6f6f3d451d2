import { parseArgs } from 'node:util';
import type { Config } from '../config/index.ts';
import { adminClient, errorMessageOf } from './admin-client.ts';

export const optimizeHelp = `Usage: fixpoint optimize <pattern-id> [--wait] [--url <url>] [--json]

Starts a prompt optimization run for a pattern on a running gateway (POST /api/patterns/:id/optimize).
With --wait, follows the run (GET /api/optimizations/:id) until it ends and prints its outcome.

Options:
  --wait         wait for the run to end (exit 0 when a prompt was accepted, 3 when it could not fix the pattern)
  --url <url>    the gateway (default http://HOST:PORT from the environment)
  --json         print the API's JSON
  -h, --help     show this help

The admin token is read from FIXPOINT_ADMIN_TOKEN (not needed on the gateway's own machine).`;

interface RunView {
  id: string;
  status: string;
  result: string | null;
  evalCalls: number;
  seconds: number | null;
  winnerVersionId: string | null;
  candidates: { id: string; rejected: string | null; scores: Record<string, { passed: number; total: number }> }[];
}

function summary(r: RunView): string {
  const lines = [`run ${r.id}: ${r.status}${r.result ? ` — ${r.result}` : ''}`, `  ${r.evalCalls} replays${r.seconds !== null ? `, ${r.seconds.toFixed(1)} s` : ''}`];
  for (const c of r.candidates) {
    const scores = Object.entries(c.scores).map(([set, s]) => `${set} ${s.passed}/${s.total}`).join(', ');
    lines.push(`  ${c.id.padEnd(8)} ${c.rejected ? `rejected: ${c.rejected}` : scores}`);
  }
  return lines.join('\n');
}

/** `fixpoint optimize`: starts (and optionally follows) a run through the admin API. Returns the exit code. */
export async function runOptimizeCommand(argv: string[], config: Config, out: (s: string) => void = console.log): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { wait: { type: 'boolean', default: false }, url: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } } });
  } catch (err) {
    out(`fixpoint optimize: ${(err as Error).message}\n\n${optimizeHelp}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out(optimizeHelp);
    return 0;
  }
  const patternId = positionals[0];
  if (!patternId) {
    out(`fixpoint optimize: a pattern id is required (see fixpoint patterns)\n\n${optimizeHelp}`);
    return 2;
  }
  const { call } = adminClient(config, values.url);
  const started = await call(`/api/patterns/${encodeURIComponent(patternId)}/optimize`, 'POST');
  if (!started.ok) {
    out(`fixpoint optimize: ${errorMessageOf(started)}`);
    return 1;
  }
  const runId = started.body['id'] as string;
  if (!values.wait) {
    out(values.json ? JSON.stringify(started.body, null, 2) : `run ${runId} queued for pattern ${patternId}; follow it with GET /api/optimizations/${runId}`);
    return 0;
  }
  for (;;) {
    const r = await call(`/api/optimizations/${runId}`);
    const run = r.body as unknown as RunView;
    if (run.status !== 'queued' && run.status !== 'running') {
      out(values.json ? JSON.stringify(run, null, 2) : summary(run));
      return run.status === 'accepted' ? 0 : run.status === 'not_fixed' ? 3 : 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
