import type { TargetSource } from '../../db/index.ts';
import { type CallView } from '../../evaluate/index.ts';
import { chatRow, targetFromCorrection, targetFromResponse, type AssistantTurn } from './chat-rows.ts';
import type { TrustedCase } from './case-queries.ts';
import type { RowSet } from './row-set.ts';
import { teacherTarget, type TeacherDeps, type TeacherVerdict } from './teacher.ts';
import type { SplitName } from './split.ts';

export interface TeacherTally {
  model: string | null;
  asked: number;
  passed: number;
  failedChecks: number;
  failedJudge: number;
  noOutput: number;
  errors: number;
  costUsd: number;
}

export const emptyTeacherTally = (model: string | null): TeacherTally => ({ model, asked: 0, passed: 0, failedChecks: 0, failedJudge: 0, noOutput: 0, errors: 0, costUsd: 0 });

const tallyKey: Record<Exclude<TeacherVerdict, 'passed'>, keyof TeacherTally> = { failed_checks: 'failedChecks', failed_judge: 'failedJudge', no_output: 'noOutput', error: 'errors' };

export interface FailureRowInput {
  cases: readonly TrustedCase[];
  views: ReadonlyMap<string, CallView>;
  /** How many pattern rows to collect at most. */
  cap: number;
  splitOf(sessionKey: string): SplitName;
  teacher: { model: string; deps: TeacherDeps; concurrency: number; signal?: AbortSignal } | null;
}

function add(set: RowSet, input: FailureRowInput, c: TrustedCase, view: CallView, source: TargetSource, target: AssistantTurn): boolean {
  const row = chatRow(view.request, target);
  if (!row) return false;
  const sessionKey = c.sessionId ?? c.callId;
  const rejected = targetFromResponse(view.response);
  return set.add({ callId: c.callId, sessionKey, kind: 'pattern', source, row, rejected, split: input.splitOf(sessionKey) });
}

/**
 * The failure rows, most trusted target first: corrections, then later passing calls' outputs, then —
 * with a teacher — the teacher's answers that passed the checks and the judge. Returns how many were added.
 */
export async function collectFailureRows(set: RowSet, input: FailureRowInput, tally: TeacherTally): Promise<number> {
  let added = 0;
  const untargeted: { c: TrustedCase; view: CallView }[] = [];
  for (const c of input.cases) {
    if (added >= input.cap) return added;
    const view = input.views.get(c.callId);
    if (!view) continue;
    if (c.source === 'correction') {
      const target = targetFromCorrection(c.correction);
      if (target && add(set, input, c, view, 'correction', target)) added++;
    } else if (c.source === 'later_prompt' && c.laterCallId) {
      const later = input.views.get(c.laterCallId);
      const target = later ? targetFromResponse(later.response) : null;
      if (target && add(set, input, c, view, 'later_prompt', target)) added++;
    } else {
      untargeted.push({ c, view });
    }
  }
  const teacher = input.teacher;
  if (!teacher) return added;
  // Asked in small batches, and only as many as the cap still wants: every answer costs money.
  for (let i = 0; i < untargeted.length && added < input.cap; ) {
    const batch = untargeted.slice(i, i + Math.min(teacher.concurrency, input.cap - added));
    i += batch.length;
    const results = await Promise.all(batch.map(({ c, view }) => teacherTarget(teacher.deps, teacher.model, { id: c.callId, component: view.component, request: view.request }, teacher.signal)));
    results.forEach((r, k) => {
      tally.asked++;
      tally.costUsd += r.costUsd;
      if (r.verdict !== 'passed') (tally[tallyKey[r.verdict]] as number)++;
      else tally.passed++;
      const item = batch[k]!;
      if (r.target && add(set, input, item.c, item.view, 'teacher', r.target)) added++;
    });
  }
  return added;
}
