import { createHash } from 'node:crypto';
import type { TargetSource } from '../../db/index.ts';
import type { AssistantTurn, ChatRow } from './chat-rows.ts';
import type { RedactionCounts, Redactor } from './redact.ts';
import type { SplitName } from './split.ts';

/** One row of the dataset with where it came from; its texts already redacted. */
export interface DatasetRow {
  callId: string;
  /** The session id, else the call id: what the split is decided by. */
  sessionKey: string;
  kind: 'pattern' | 'replay';
  source: TargetSource | 'replay';
  row: ChatRow;
  /** Pattern rows: what the model answered (the DPO pair's rejected side), redacted; null when it answered nothing. */
  rejected: AssistantTurn | null;
  split: SplitName;
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** The input a row is for (its messages before the target, and its tools): rows with the same key teach the same prompt. */
export function promptKeyOf(row: ChatRow): string {
  return sha256(JSON.stringify({ messages: row.messages.slice(0, -1), tools: row.tools ?? null }));
}

/**
 * The rows being collected: redacted as they come in, and deduplicated by the sha256 of the row's
 * content (messages, tools), so the same example never appears twice, in one split or across them.
 */
export class RowSet {
  readonly rows: DatasetRow[] = [];
  readonly redactions: RedactionCounts;
  duplicatesDropped = 0;
  private readonly seen = new Set<string>();
  private readonly redactor: Redactor;

  constructor(redactor: Redactor, redactions: RedactionCounts) {
    this.redactor = redactor;
    this.redactions = redactions;
  }

  /** Adds a row (redacted); false when the same content is already in. */
  add(r: Omit<DatasetRow, 'row' | 'rejected'> & { row: ChatRow; rejected: AssistantTurn | null }): boolean {
    const counts: RedactionCounts = { email: 0, phone: 0, pattern: 0 };
    const row = this.redactor.value(r.row, counts);
    const key = sha256(JSON.stringify(row));
    if (this.seen.has(key)) {
      this.duplicatesDropped++;
      return false;
    }
    this.seen.add(key);
    const rejected = r.rejected ? this.redactor.value(r.rejected, counts) : null;
    for (const k of Object.keys(counts) as (keyof RedactionCounts)[]) this.redactions[k] += counts[k];
    this.rows.push({ ...r, row, rejected });
    return true;
  }

  /** A value redacted like the rows (counted with theirs), for what is written beside them. */
  redact<T>(value: T): T {
    return this.redactor.value(value, this.redactions);
  }

  /** Removes rows (after the fact: held-out leaks, the replay-share cut). */
  remove(drop: ReadonlySet<DatasetRow>): void {
    const kept = this.rows.filter((r) => !drop.has(r));
    this.rows.length = 0;
    this.rows.push(...kept);
  }
}
