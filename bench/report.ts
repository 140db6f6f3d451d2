/** Printing results: plain tables per scenario, the target checks, and one markdown table. */
import type { CellResult } from './scenarios.ts';
import { FLAT_GROWTH_PCT, type SoakResult } from './soak.ts';

export interface Cell {
  scenario: string;
  connections: number;
  /** The moderate load: where added latency is judged. */
  moderate: boolean;
  /** Paced at this many requests/s in all; absent: closed loop. */
  rate?: number;
  results: CellResult[];
}

const loadOf = (cell: Cell) => (cell.rate ? `${cell.connections} conns @ ${cell.rate} req/s` : `${cell.connections} conns, closed loop`);

export interface Check {
  name: string;
  /** null: not measured. */
  pass: boolean | null;
  detail: string;
}

const MIN_THROUGHPUT_RATIO = 0.8;
const MAX_ADDED_P99_MS = 1;

const f = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '—');
const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—');
const signed = (n: number) => (Number.isFinite(n) ? (n >= 0 ? '+' : '') + n.toFixed(2) : '—');

interface Row {
  target: string;
  rps: string;
  p50: string;
  p99: string;
  cpu: string;
  ratio: string;
  addP50: string;
  addP99: string;
  errors: string;
}

function rowsOf(cell: Cell): Row[] {
  const bare = cell.results.find((r) => r.target.key === 'bare');
  return cell.results.map((r) => ({
    target: r.target.label,
    rps: int(r.rps),
    p50: f(r.p50),
    p99: f(r.p99),
    cpu: int(r.cpuUsPerReq),
    ratio: bare ? f(r.rps / bare.rps) : '—',
    addP50: bare && r !== bare ? signed(r.p50 - bare.p50) : '',
    addP99: bare && r !== bare ? signed(r.p99 - bare.p99) : '',
    errors: r.errors || r.incomplete ? `${r.errors} err, ${r.incomplete} cut` : '0',
  }));
}

const HEADER: Row = {
  target: 'target',
  rps: 'req/s',
  p50: 'p50 ms',
  p99: 'p99 ms',
  cpu: 'CPU µs/req',
  ratio: '× bare',
  addP50: '+p50 ms',
  addP99: '+p99 ms',
  errors: 'errors',
};
const COLUMNS = Object.keys(HEADER) as (keyof Row)[];

export function printCell(cell: Cell, roundsNote: string): void {
  const rows = [HEADER, ...rowsOf(cell)];
  const widths = COLUMNS.map((c) => Math.max(...rows.map((r) => r[c].length)));
  console.log(`\n${cell.scenario}, ${loadOf(cell)} (${roundsNote})`);
  for (const r of rows) {
    console.log(COLUMNS.map((c, i) => (i === 0 ? r[c].padEnd(widths[i]!) : r[c].padStart(widths[i]!))).join('  '));
  }
  for (const r of cell.results) if (r.firstError) console.log(`  ! ${r.target.label}: ${r.firstError}`);
}

export function printSoak(s: SoakResult): void {
  console.log(`\nmemory soak: ${s.target.label}, ${s.seconds} s at ${s.connections} connections, ${int(s.requests)} requests, ${s.errors} errors`);
  console.log(`  RSS at start          ${f(s.rssStartMb, 1)} MB`);
  console.log(`  median first ${f(s.windowSeconds, 0)} s     ${f(s.rssFirstMb, 1)} MB`);
  console.log(`  median last ${f(s.windowSeconds, 0)} s      ${f(s.rssLastMb, 1)} MB   (max ${f(s.rssMaxMb, 1)} MB)`);
  console.log(`  slope                 ${signed(s.slopeMbPerMin)} MB/min`);
  console.log(`  growth first→last     ${signed(s.growthPct)} %  → ${s.flat ? 'looks flat' : 'GROWING'} (flat: < ${FLAT_GROWTH_PCT} %)`);
}

/** Throughput is judged on closed-loop loads (a paced load gives every target the same rate), added p99 on the moderate one. */
export function checks(cells: Cell[], soak: SoakResult | undefined): Check[] {
  const out: Check[] = [];
  for (const cell of cells) {
    const bare = cell.results.find((r) => r.target.key === 'bare');
    const gw = cell.results.find((r) => r.target.key === 'gateway');
    const where = `${cell.scenario}, ${loadOf(cell)}`;
    const throughput = `throughput ≥ ${MIN_THROUGHPUT_RATIO}× bare (${where})`;
    const latency = `added p99 < ${MAX_ADDED_P99_MS} ms (${where})`;
    if (!bare || !gw) {
      if (!cell.rate) out.push({ name: throughput, pass: null, detail: 'gateway not measured' });
      if (cell.moderate) out.push({ name: latency, pass: null, detail: 'gateway not measured' });
      continue;
    }
    const errors = gw.errors || gw.incomplete ? `, ${gw.errors} errors, ${gw.incomplete} cut streams` : '';
    if (!cell.rate) {
      const ratio = gw.rps / bare.rps;
      out.push({ name: throughput, pass: ratio >= MIN_THROUGHPUT_RATIO && !errors, detail: `${f(ratio)}×${errors}` });
    }
    if (cell.moderate) {
      const added = gw.p99 - bare.p99;
      const byRound = `the rounds' own p99s, median: ${f(gw.p99RoundMedian)} against ${f(bare.p99RoundMedian)} ms`;
      out.push({ name: latency, pass: added < MAX_ADDED_P99_MS && !errors, detail: `${signed(added)} ms (p50 ${signed(gw.p50 - bare.p50)} ms; ${byRound})${errors}` });
    }
  }
  const soakName = 'memory flat under load';
  if (!soak || soak.target.key !== 'gateway') out.push({ name: soakName, pass: null, detail: soak ? `gateway not measured (${soak.target.label}: ${signed(soak.growthPct)} %)` : 'soak skipped' });
  else out.push({ name: soakName, pass: soak.flat, detail: `${signed(soak.growthPct)} % first→last, ${signed(soak.slopeMbPerMin)} MB/min` });
  return out;
}

export function printChecks(list: Check[]): void {
  console.log('\ntargets');
  for (const c of list) {
    const mark = c.pass === null ? 'SKIP' : c.pass ? 'PASS' : 'FAIL';
    console.log(`  ${mark}  ${c.name}: ${c.detail}`);
  }
}

export function markdown(cells: Cell[], soak: SoakResult | undefined, list: Check[], setup: string): string {
  const lines = [
    setup,
    '',
    '| scenario | load | target | req/s | p50 ms | p99 ms | CPU µs/req | × bare | +p50 ms | +p99 ms |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const cell of cells) {
    for (const r of rowsOf(cell)) {
      lines.push(`| ${cell.scenario} | ${loadOf(cell)} | ${r.target} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.cpu} | ${r.ratio} | ${r.addP50} | ${r.addP99} |`);
    }
  }
  if (soak) {
    lines.push('', `Memory (${soak.target.label}, ${soak.seconds} s soak at ${soak.connections} connections): RSS ${f(soak.rssFirstMb, 1)} MB → ${f(soak.rssLastMb, 1)} MB (${signed(soak.growthPct)} %, ${signed(soak.slopeMbPerMin)} MB/min) — ${soak.flat ? 'flat' : 'growing'}.`);
  }
  lines.push('', ...list.map((c) => `- ${c.pass === null ? 'skipped' : c.pass ? '✅' : '❌'} ${c.name}: ${c.detail}`));
  return lines.join('\n');
}
