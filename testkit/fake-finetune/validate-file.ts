/** The checks OpenAI's `validating_files` step makes on a chat-format JSONL file (the ones the fake knows). */
import { isRecord } from '../fake-upstream/index.ts';
import type { TrainingRow } from './types.ts';

export type FileCheck = { ok: true; rows: TrainingRow[] } | { ok: false; message: string };

function rowProblem(line: string): string | TrainingRow {
  let value: unknown;
  try {
    value = JSON.parse(line) as unknown;
  } catch {
    return 'is not valid JSON';
  }
  if (!isRecord(value)) return 'is not a JSON object';
  const messages = value['messages'];
  if (!Array.isArray(messages) || messages.length === 0) return "has no 'messages' array";
  if (!messages.every((m) => isRecord(m) && typeof m['role'] === 'string')) return "has a message without a 'role'";
  if (!messages.some((m) => isRecord(m) && m['role'] === 'assistant')) return 'has no assistant message';
  return value as TrainingRow;
}

/** Every non-empty line must be a JSON object whose `messages` hold an assistant message; at least `minExamples` of them. */
export function checkTrainingFile(content: string, minExamples: number): FileCheck {
  const rows: TrainingRow[] = [];
  const lines = content.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]?.trim() ?? '';
    if (!line) continue;
    const row = rowProblem(line);
    if (typeof row === 'string') return { ok: false, message: `Invalid file format. Line ${i + 1} ${row}.` };
    rows.push(row);
  }
  if (rows.length < minExamples) {
    return { ok: false, message: `Training file has ${rows.length} example(s), but must have at least ${minExamples} examples.` };
  }
  return { ok: true, rows };
}

/** Billable tokens of one pass over the rows: characters of the messages' text / 4, rounded up. */
export function tokensOf(rows: TrainingRow[]): number {
  let chars = 0;
  for (const row of rows) for (const m of row.messages) chars += typeof m.content === 'string' ? m.content.length : JSON.stringify(m.content ?? '').length;
  return Math.ceil(chars / 4);
}
