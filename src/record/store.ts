import { isUniqueViolation, type Database, type Statement } from '../db/index.ts';
import { arrayElement, callColumnNames, callColumnTypes, callJsonColumns as isJson, type FinalRecord } from './finalize.ts';

export interface RecordStore {
  /** Idempotent: rows already there (same call id, same prompt hash) are left alone. */
  insert(records: readonly FinalRecord[]): Promise<void>;
}

const columnList = callColumnNames.map((c) => `"${c}"`).join(', ');
/** The JSON columns travel as parameters of their own; the short scalar ones together, as one text[] literal. */
const jsonCount = isJson.filter(Boolean).length;
const perRow = 1 + jsonCount;

/**
 * The select list that takes a row apart again: `v.s[k]` for the k-th scalar, `v.jN` for a JSON
 * column, each cast to its column's type. Every parameter is declared text and cast in SQL, so the
 * value reaches Postgres exactly as encoded (the driver's own serializers, chosen by the described
 * parameter type, would reinterpret strings: a boolean from "true", a date re-parsed).
 */
const selectList = (() => {
  let scalar = 0;
  let json = 0;
  return callColumnTypes.map((t, i) => (isJson[i] ? `v.j${json++}::${t}` : `v.s[${++scalar}]${t === 'text' ? '' : `::${t}`}`)).join(', ');
})();
const valueNames = ['s', ...Array.from({ length: jsonCount }, (_, j) => `j${j}`)].join(', ');

/**
 * Statement sizes in rows: every batch is cut into these, so each connection prepares a handful of
 * statements once. At most 64 rows: the driver encodes a statement's parameters in one go, and the
 * calls being proxied should not wait behind more than that.
 */
const SIZES = [64, 32, 16, 8, 4, 2, 1];
/** The rows of the largest statement: a batch of at least this many is written as efficiently as any. */
export const FULL_STATEMENT_ROWS = SIZES[0] as number;
const statementTexts = new Map<string, string>();

/**
 * The insert of `rows` rows. Plain by default: `on conflict do nothing` makes Postgres probe the
 * primary key before each row and confirm each insert in the WAL (speculative insertion): 11–15 %
 * of its CPU per row in batches of 200 (bench/recording-cost.ts, side by side: 23.0 → 19.5 and
 * 25.7 → 21.0 µs). A call id is already there only when a batch is written again (a spool replay,
 * a write whose commit went unanswered), and then the batch is sent again with `onConflict`.
 * Padding rows (all parameters null) are filtered out.
 */
function insertStatement(rows: number, onConflict: boolean): string {
  const key = `${rows}/${onConflict}`;
  let text = statementTexts.get(key);
  if (text === undefined) {
    const tuples: string[] = [];
    for (let r = 0; r < rows; r++) {
      const first = r * perRow + 1;
      tuples.push(`($${first}::text::text[]${Array.from({ length: jsonCount }, (_, j) => `, $${first + 1 + j}::text`).join('')})`);
    }
    text = `insert into calls (${columnList}) select ${selectList} from (values ${tuples.join(',')}) as v(${valueNames}) where v.s is not null${onConflict ? ' on conflict do nothing' : ''}`;
    statementTexts.set(key, text);
  }
  return text;
}

/** One row's parameters: its scalar columns as one text[] literal, then its JSON columns. */
function pushRow(params: (string | null)[], values: readonly (string | null)[]): void {
  let scalars = '{';
  for (let i = 0; i < values.length; i++) {
    if (isJson[i]) continue;
    if (scalars.length > 1) scalars += ',';
    scalars += arrayElement(values[i] ?? null);
  }
  params.push(`${scalars}}`);
  for (let i = 0; i < values.length; i++) if (isJson[i]) params.push(values[i] ?? null);
}

/**
 * Cuts n rows into statement sizes: whole chunks of the largest size that fits, then the remainder
 * padded up to the next size (a padding row is all nulls, which the statement filters out).
 */
export function chunkSizes(n: number): { rows: number; size: number }[] {
  const out: { rows: number; size: number }[] = [];
  let left = n;
  const largest = SIZES[0] as number;
  while (left >= largest) {
    out.push({ rows: largest, size: largest });
    left -= largest;
  }
  if (left > 0) {
    const size = [...SIZES].reverse().find((s) => s >= left) as number;
    // A remainder just past a size is cheaper as that size plus a small padded chunk.
    const below = SIZES.find((s) => s <= left) as number;
    if (size - left > left - below && left - below > 0) out.push({ rows: below, size: below }, ...chunkSizes(left - below));
    else out.push({ rows: left, size });
  }
  return out;
}

const PROMPTS_INSERT = `insert into prompts (hash, content)
  select hash, content from json_populate_recordset(null::prompts, $1::text::json)
  on conflict do nothing`;

const KNOWN_PROMPTS_MAX = 4096;
/**
 * How long a stored prompt is taken as still stored. The retention sweep deletes a prompt only once
 * no call references it, and the calls stored with it live at least a day (the shortest retention),
 * so a prompt known for less than that cannot have been swept; past it, it is inserted again.
 */
const KNOWN_PROMPT_TTL_MS = 10 * 60_000;

/**
 * Batched inserts of the calls rows as multi-row `insert ... values` statements of a few fixed
 * sizes, prepared once per connection and reused (`bench/recording-cost.ts`: about a third of the
 * database's CPU per row of a single JSON-document insert), four text parameters per row. A row the
 * database refuses fails its statement, and the recorder splits the batch. Prompt texts recently
 * stored by this process are not sent again.
 */
export function createRecordStore(database: Database): RecordStore {
  /** Prompt hash → until when it is taken as stored. */
  const knownPrompts = new Map<string, number>();
  return {
    async insert(records) {
      if (records.length === 0) return;
      const now = Date.now();
      const statements: Statement[] = [];
      const fresh = new Map<string, string>();
      for (const r of records) for (const p of r.prompts) if ((knownPrompts.get(p.hash) ?? 0) <= now) fresh.set(p.hash, p.content);
      if (fresh.size > 0) {
        const json = JSON.stringify([...fresh].map(([hash, content]) => ({ hash, content })));
        statements.push({ text: PROMPTS_INSERT, params: [json] });
      }
      let at = 0;
      const chunks: { size: number; params: (string | null)[] }[] = [];
      for (const { rows, size } of chunkSizes(records.length)) {
        const params: (string | null)[] = [];
        for (let i = 0; i < rows; i++) pushRow(params, (records[at + i] as FinalRecord).values);
        for (let i = rows * perRow; i < size * perRow; i++) params.push(null);
        at += rows;
        chunks.push({ size, params });
      }
      const withCalls = (onConflict: boolean) => [...statements, ...chunks.map((c) => ({ text: insertStatement(c.size, onConflict), params: c.params }))];
      try {
        await database.runAll(withCalls(false));
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        await database.runAll(withCalls(true)); // some of these calls are stored already
      }
      if (fresh.size > 0) {
        if (knownPrompts.size + fresh.size > KNOWN_PROMPTS_MAX) knownPrompts.clear();
        for (const hash of fresh.keys()) knownPrompts.set(hash, now + KNOWN_PROMPT_TTL_MS);
      }
    },
  };
}
