/** Printing results: plain tables per scenario, the target checks, and one markdown table. */
import { databaseOf, type Cell, type Target } from './scenarios.ts';
export type { Cell } from './scenarios.ts';
import { summaryLines } from './summary.ts';
export { printSummary } from './summary.ts';
import { FLAT_GROWTH_PCT, type SoakResult } from './soak.ts';


const loadOf = (cell: Cell) => (cell.rate ? `${cell.connections} conns @ ${cell.rate} req/s` : `${cell.connections} conns, closed loop`);

export interface Check {
  name: string;
  /** null: not measured. */
  pass: boolean | null;
  detail: string;
}

const MIN_THROUGHPUT_RATIO = 0.8;
const MAX_ADDED_P99_MS = 1;
const MAX_CPU_RATIO = 1.3;
const MAX_EMBEDDED_P99_GAP_MS = 2;

const f = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '—');
const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—');
const signed = (n: number) => (Number.isFinite(n) ? (n >= 0 ? '+' : '') + n.toFixed(2) : '—');

interface Row {
  target: string;
  rps: string;
  p50: string;
  p99: string;
  cpu: string;
  /** Its database's CPU per call: embedded, its thread (inside `cpu`); Postgres, the server (outside it). */
  db: string;
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
    db: Number.isFinite(r.databaseCpuUsPerReq) ? `${int(r.databaseCpuUsPerReq)} (${databaseOf(r.target) === 'inside' ? 'in' : 'beside'})` : '',
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
  db: 'database µs/req',
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

/**
 * For each Fixpoint gateway (Postgres, embedded): throughput at closed-loop loads (a paced load
 * gives every target the same rate) and CPU per call at the heaviest load, against the bare
 * forwarder; added p99 at the moderate load; the embedded p99 against the Postgres one there.
 */
export function checks(cells: Cell[], soak: SoakResult | undefined): Check[] {
  const out: Check[] = [];
  const heaviest = Math.max(...cells.map((c) => c.connections));
  for (const cell of cells) {
    const bare = cell.results.find((r) => r.target.key === 'bare');
    const gateways = cell.results.filter((r) => r.target.key === 'gateway');
    const where = `${cell.scenario}, ${loadOf(cell)}`;
    if (!bare || gateways.length === 0) {
      if (!cell.rate) out.push({ name: `throughput ≥ ${MIN_THROUGHPUT_RATIO}× bare (${where})`, pass: null, detail: 'gateway not measured' });
      if (cell.moderate) out.push({ name: `added p99 < ${MAX_ADDED_P99_MS} ms (${where})`, pass: null, detail: 'gateway not measured' });
      continue;
    }
    for (const gw of gateways) {
      const who = `${gw.target.label}; ${where}`;
      const errors = gw.errors || gw.incomplete ? `, ${gw.errors} errors, ${gw.incomplete} cut streams` : '';
      if (!cell.rate) {
        const ratio = gw.rps / bare.rps;
        out.push({ name: `throughput ≥ ${MIN_THROUGHPUT_RATIO}× bare (${who})`, pass: ratio >= MIN_THROUGHPUT_RATIO && !errors, detail: `${f(ratio)}×${errors}` });
      }
      if (!cell.rate && cell.connections === heaviest && !cell.moderate) {
        const ratio = gw.cpuUsPerReq / bare.cpuUsPerReq;
        out.push({ name: `CPU per call ≤ ${MAX_CPU_RATIO}× bare (${who})`, pass: ratio <= MAX_CPU_RATIO, detail: `${f(ratio)}× (${int(gw.cpuUsPerReq)} against ${int(bare.cpuUsPerReq)} µs)` });
      }
      if (cell.moderate) {
        const added = gw.p99 - bare.p99;
        const byRound = `pooled over the rounds: ${f(gw.p99Pooled)} against ${f(bare.p99Pooled)} ms`;
        out.push({ name: `added p99 < ${MAX_ADDED_P99_MS} ms (${who})`, pass: added < MAX_ADDED_P99_MS && !errors, detail: `${signed(added)} ms (p50 ${signed(gw.p50 - bare.p50)} ms; ${byRound})${errors}` });
      }
    }
    const pg = gateways.find((r) => r.target.id === 'postgres');
    const embedded = gateways.find((r) => r.target.id === 'embedded');
    if (cell.moderate && pg && embedded) {
      const gap = embedded.p99 - pg.p99;
      out.push({ name: `embedded p99 within ${MAX_EMBEDDED_P99_GAP_MS} ms of Postgres (${where})`, pass: gap <= MAX_EMBEDDED_P99_GAP_MS, detail: `${signed(gap)} ms (${f(embedded.p99)} against ${f(pg.p99)} ms)` });
    }
  }
  const soakName = 'memory flat under load';
  if (!soak || soak.target.key !== 'gateway') out.push({ name: soakName, pass: null, detail: soak ? `gateway not measured (${soak.target.label}: ${signed(soak.growthPct)} %)` : 'soak skipped' });
  else out.push({ name: `${soakName} (${soak.target.label})`, pass: soak.flat, detail: `${signed(soak.growthPct)} % first→last, ${signed(soak.slopeMbPerMin)} MB/min` });
  return out;
}

export function printChecks(list: Check[]): void {
  console.log('\ntargets');
  for (const c of list) {
    const mark = c.pass === null ? 'SKIP' : c.pass ? 'PASS' : 'FAIL';
    console.log(`  ${mark}  ${c.name}: ${c.detail}`);
  }
}

export function markdown(cells: Cell[], soak: SoakResult | undefined, list: Check[], setup: string, targets: Target[], notes: string[]): string {
  const lines = [
    setup,
    '',
    ...summaryLines(cells, targets, notes),
    '',
    'Every cell:',
    '',
    '| scenario | load | target | req/s | p50 ms | p99 ms | CPU µs/req | database µs/req | × bare | +p50 ms | +p99 ms |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const cell of cells) {
    for (const r of rowsOf(cell)) {
      lines.push(`| ${cell.scenario} | ${loadOf(cell)} | ${r.target} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.cpu} | ${r.db} | ${r.ratio} | ${r.addP50} | ${r.addP99} |`);
    }
  }
  if (soak) {
    lines.push('', `Memory (${soak.target.label}, ${soak.seconds} s soak at ${soak.connections} connections): RSS ${f(soak.rssFirstMb, 1)} MB → ${f(soak.rssLastMb, 1)} MB (${signed(soak.growthPct)} %, ${signed(soak.slopeMbPerMin)} MB/min) — ${soak.flat ? 'flat' : 'growing'}.`);
  }
  lines.push('', ...list.map((c) => `- ${c.pass === null ? 'skipped' : c.pass ? '✅' : '❌'} ${c.name}: ${c.detail}`));
  return lines.join('\n');
}
