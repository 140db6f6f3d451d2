/**
 * The table the bench leads with: one column per target (bare forwarder, Fixpoint on Postgres,
 * Fixpoint embedded, the peer gateway), throughput and CPU per call at the heaviest closed-loop load
 * and p50 / p99 at the moderate one, each scenario side by side, ratios against the bare forwarder.
 */
import { databaseOf, type Cell, type CellResult, type Target } from './scenarios.ts';

const int = (n: number | undefined) => (n !== undefined && Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—');
const ms = (n: number | undefined) => (n !== undefined && Number.isFinite(n) ? n.toFixed(2) : '—');
/** A target's result where it answered calls (a target that failed every call has no figures). */
const answered = (r: CellResult | undefined) => (r && r.requests > 0 ? r : undefined);
const times = (n: number) => (Number.isFinite(n) ? ` (${n.toFixed(2)}×)` : '');

function loadName(cell: Cell): string {
  return cell.rate ? `${cell.connections} connection${cell.connections === 1 ? '' : 's'} @ ${cell.rate} req/s` : `${cell.connections} connection${cell.connections === 1 ? '' : 's'}`;
}

export function summaryLines(cells: Cell[], targets: Target[], notes: string[]): string[] {
  const columns = targets.filter((t) => t.key !== 'upstream');
  const scenarios = [...new Set(cells.map((c) => c.scenario))];
  const heavy = Math.max(...cells.map((c) => c.connections));
  const cellOf = (scenario: string, moderate: boolean) => cells.find((c) => c.scenario === scenario && (moderate ? c.moderate : !c.moderate && c.connections === heavy));
  const result = (cell: Cell | undefined, t: Target): CellResult | undefined => cell?.results.find((r) => r.target.id === t.id);
  const bareOf = (cell: Cell | undefined) => cell?.results.find((r) => r.target.key === 'bare');
  const rows: string[][] = [];
  for (const scenario of scenarios) {
    const c = cellOf(scenario, false);
    if (!c) continue;
    const bare = bareOf(c);
    rows.push([`${scenario}, ${loadName(c)}, req/s`, ...columns.map((t) => {
      const r = answered(result(c, t));
      return r && bare && r !== bare ? `${int(r.rps)}${times(r.rps / bare.rps)}` : int(r?.rps);
    })]);
  }
  const heavyCells = scenarios.map((s) => cellOf(s, false));
  if (heavyCells.some(Boolean)) {
    const on = `${scenarios.join(' / ')}; ${heavy} connections`;
    /** Per scenario, a figure of the target's result, with its ratios to the bare forwarder's process CPU. */
    const cpuCell = (t: Target, of: (r: CellResult) => number) => {
      const values = heavyCells.map((c) => {
        const r = answered(result(c, t));
        return r ? of(r) : NaN;
      });
      const ratios = heavyCells.map((c, i) => (values[i] ?? NaN) / (bareOf(c)?.cpuUsPerReq ?? NaN));
      return `${values.map(int).join(' / ')}${t.key === 'bare' ? '' : ` (${ratios.map((x) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '—')).join(' / ')})`}`;
    };
    rows.push([`process CPU per call, µs (${on})`, ...columns.map((t) => cpuCell(t, (r) => r.cpuUsPerReq))]);
    // The two modes' databases are counted differently by the row above: embedded, its thread is in
    // the process; on Postgres, the server's processes are not. These rows put them side by side.
    if (columns.some((t) => databaseOf(t) !== null)) {
      rows.push([`its database's CPU per call, µs (${on})`, ...columns.map((t) => {
        const where = databaseOf(t);
        if (where === null) return '—';
        const values = heavyCells.map((c) => answered(result(c, t))?.databaseCpuUsPerReq);
        return `${values.map(int).join(' / ')} (${where === 'inside' ? 'its thread, in the row above' : "the server's processes, not in the row above"})`;
      })]);
      rows.push([`CPU per call with the database, µs (${on})`, ...columns.map((t) => cpuCell(t, (r) => r.cpuUsPerReq + (databaseOf(t) === 'beside' ? r.databaseCpuUsPerReq : 0)))]);
    }
  }
  const moderateCells = scenarios.map((s) => cellOf(s, true));
  const m = moderateCells.find(Boolean);
  if (m) {
    for (const q of ['p50', 'p99'] as const) {
      rows.push([`${loadName(m)}, ${q} ms (${scenarios.join(' / ')})`, ...columns.map((t) => moderateCells.map((c) => ms(result(c, t)?.[q])).join(' / '))]);
    }
  }
  return [
    `| | ${columns.map((t) => t.label).join(' | ')} |`,
    `|---|${columns.map(() => '---:').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    ...(notes.length ? ['', ...notes.map((n) => `- ${n}`)] : []),
  ];
}

export function printSummary(cells: Cell[], targets: Target[], notes: string[]): void {
  console.log('\nside by side (medians of interleaved rounds; ratios against the bare forwarder)\n');
  for (const line of summaryLines(cells, targets, notes)) console.log(line);
}
