import type { TargetSource } from '../../db/index.ts';
import type { AssistantTurn, ChatRow, PreferenceRow } from './chat-rows.ts';
import type { DatasetFileName } from './dataset-files.ts';
import type { DatasetRow } from './row-set.ts';
import { splitNames, type SplitName } from './split.ts';

export interface RowCounts {
  /** Failure rows by target source, and replayed passing calls. */
  bySource: Record<TargetSource | 'replay', number>;
  bySplit: Record<SplitName, { pattern: number; replay: number }>;
}

export function countRows(rows: readonly DatasetRow[]): RowCounts {
  const bySource: RowCounts['bySource'] = { correction: 0, later_prompt: 0, teacher: 0, replay: 0 };
  const bySplit = Object.fromEntries(splitNames.map((s) => [s, { pattern: 0, replay: 0 }])) as RowCounts['bySplit'];
  for (const r of rows) {
    bySource[r.source]++;
    bySplit[r.split][r.kind]++;
  }
  return { bySource, bySplit };
}

/** The DPO pair of a failure row: its target preferred over what the model answered (when it answered something else). */
function pairOf(r: DatasetRow): PreferenceRow | null {
  if (r.kind !== 'pattern' || !r.rejected) return null;
  const target = r.row.messages.at(-1);
  if (!target) return null;
  const { weight: _w, ...preferred } = target;
  if (JSON.stringify(preferred['content'] ?? null) === JSON.stringify(r.rejected.content) && JSON.stringify(preferred['tool_calls'] ?? null) === JSON.stringify(r.rejected.tool_calls ?? null)) return null;
  const messages = r.row.messages.slice(0, -1).map(({ weight: _ww, ...m }) => m);
  return { input: { messages, ...(r.row.tools ? { tools: r.row.tools } : {}) }, preferred_output: [preferred as unknown as AssistantTurn /* the row's last message is the target chatRow put there */], non_preferred_output: [r.rejected] };
}

/**
 * The rows of each file. Train and validation rows are exactly OpenAI's chat fine-tuning format (no
 * metadata: its upload would reject it); gate rows carry `metadata` (call id, kind, source) so the
 * evaluation can replay the recorded calls (the gate file is never uploaded); preference pairs come
 * from the train split's failure rows only.
 */
export function datasetFiles(rows: readonly DatasetRow[]): Record<DatasetFileName, unknown[]> {
  const of = (split: SplitName): ChatRow[] => rows.filter((r) => r.split === split).map((r) => r.row);
  return {
    'train.jsonl': of('train'),
    'validation.jsonl': of('validation'),
    'gate.jsonl': rows.filter((r) => r.split === 'gate').map((r) => ({ ...r.row, metadata: { call_id: r.callId, kind: r.kind, source: r.source } })),
    'preference.jsonl': rows.filter((r) => r.split === 'train').flatMap((r) => pairOf(r) ?? []),
  };
}
