import type { CallView } from '../../evaluate/index.ts';
import { chatRow, targetFromResponse } from './chat-rows.ts';
import type { ReplayCandidate } from './case-queries.ts';
import { promptKeyOf, type DatasetRow, type RowSet } from './row-set.ts';
import type { SplitName } from './split.ts';

const trainCounts = (rows: readonly DatasetRow[]) => {
  let pattern = 0;
  let replay = 0;
  for (const r of rows) if (r.split === 'train') r.kind === 'replay' ? replay++ : pattern++;
  return { pattern, replay };
};

/** Whether replayed rows make up at least `share` of the train split. */
export function replayShareMet(rows: readonly DatasetRow[], share: number): boolean {
  const t = trainCounts(rows);
  return t.replay >= share * (t.pattern + t.replay);
}

export interface ReplayInput {
  candidates: readonly ReplayCandidate[];
  views: ReadonlyMap<string, CallView>;
  /** Input hashes of the patterns' failing calls: their inputs are failure cases, not replays. */
  failingInputs: ReadonlySet<string>;
  share: number;
  maxRows: number;
  splitOf(sessionKey: string): SplitName;
}

/**
 * Adds the component's passing calls (newest first, their own output as the target) until replayed rows
 * are at least `share` of the train split, the candidates run out, or the dataset holds maxRows. Rows
 * whose prompt a gate row already holds are skipped. Returns how many were added.
 */
export function addReplayRows(set: RowSet, input: ReplayInput, gateKeys: Set<string>): number {
  let added = 0;
  for (const c of input.candidates) {
    if (replayShareMet(set.rows, input.share) || set.rows.length >= input.maxRows) break;
    if (c.inputHash && input.failingInputs.has(c.inputHash)) continue;
    const view = input.views.get(c.callId);
    const target = view ? targetFromResponse(view.response) : null;
    const row = view && target ? chatRow(view.request, target) : null;
    if (!row) continue;
    const sessionKey = c.sessionId ?? c.callId;
    const split = input.splitOf(sessionKey);
    const key = promptKeyOf(row);
    if (split !== 'gate' && gateKeys.has(key)) continue;
    if (set.add({ callId: c.callId, sessionKey, kind: 'replay', source: 'replay', row, rejected: null, split })) {
      added++;
      if (split === 'gate') gateKeys.add(key);
    }
  }
  return added;
}

/**
 * Where the replay pool ran short: drops train failure rows, last (least trusted, oldest) first, until
 * the share holds. Returns how many were dropped.
 */
export function cutToReplayShare(set: RowSet, share: number): number {
  const drop = new Set<DatasetRow>();
  const t = trainCounts(set.rows);
  let pattern = t.pattern;
  for (let i = set.rows.length - 1; i >= 0 && t.replay < share * (pattern + t.replay); i--) {
    const r = set.rows[i]!;
    if (r.split !== 'train' || r.kind !== 'pattern') continue;
    drop.add(r);
    pattern--;
  }
  set.remove(drop);
  return drop.size;
}

/**
 * Drops train and validation rows whose prompt (messages before the target, tools) a gate row also
 * holds — another session asking exactly the same — so nothing the gate replays was trained on.
 * Returns the gate rows' prompt keys and how many were dropped.
 */
export function dropGateLeaks(set: RowSet): { gateKeys: Set<string>; dropped: number } {
  const gateKeys = new Set(set.rows.filter((r) => r.split === 'gate').map((r) => promptKeyOf(r.row)));
  const drop = new Set(set.rows.filter((r) => r.split !== 'gate' && gateKeys.has(promptKeyOf(r.row))));
  set.remove(drop);
  return { gateKeys, dropped: drop.size };
}
