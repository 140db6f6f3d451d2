import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { RetrainSettings } from '../../config/index.ts';
import { newUuidV7 } from '../../core/index.ts';
import { finetuneDatasets, type DatasetRow as DatasetRecord, type Db } from '../../db/index.ts';
import { loadCalls, type CallView, type FailureDraft } from '../../evaluate/index.ts';
import type { PriceLookup, ProviderRegistry } from '../../providers/index.ts';
import { loadReplayCandidates, loadTrustedCases, type TrustedCase } from './case-queries.ts';
import { encodeFiles, writeDirAtomically } from './dataset-files.ts';
import { RetrainDatasetError } from './errors.ts';
import { collectFailureRows, emptyTeacherTally } from './failure-rows.ts';
import { countRows, datasetFiles } from './dataset-layout.ts';
import { createRedactor, noRedactions } from './redact.ts';
import { addReplayRows, cutToReplayShare, dropGateLeaks } from './replay-rows.ts';
import { RowSet } from './row-set.ts';
import { splitOf } from './split.ts';
import type { DatasetJudge } from './teacher.ts';

export interface BuildDatasetDeps {
  db: Db;
  registry: ProviderRegistry;
  /** For the teacher's and judge's cost in the manifest; none: cost 0. */
  prices?: PriceLookup;
  /** The component's checks and rules (createCallChecker): what a teacher answer must pass. */
  check: (view: CallView) => Promise<FailureDraft[]>;
  /** The component's judge (createDatasetJudge), or null when it has none. */
  judge: DatasetJudge | null;
  /** FIXPOINT_DATA_DIR: datasets go under `<retrain.dir ?? dataDir/retrain>/datasets/<id>/`. */
  dataDir: string;
  signal?: AbortSignal;
}

export interface BuildDatasetOptions {
  recommendationId: string;
  component: string;
  patternIds: readonly string[];
  settings: RetrainSettings;
}

/** Teacher calls in flight at once. */
const TEACHER_CONCURRENCY = 4;

const viewsOf = async (db: Db, ids: readonly string[]): Promise<Map<string, CallView>> =>
  new Map((await loadCalls(db, [...new Set(ids)])).map((c) => [c.view.id, c.view]));

/**
 * Builds a fine-tuning dataset for a recommendation: the candidate patterns' failing calls with trusted
 * targets (correction > later passing call > verified teacher answer), at least `replayShare` of the
 * train split replayed passing calls, redacted, deduplicated, split by session into train / validation
 * / gate; writes the files atomically and records the dataset. Throws RetrainDatasetError when fewer
 * than `minExamples` trusted failure rows could be built.
 */
export async function buildDataset(deps: BuildDatasetDeps, opts: BuildDatasetOptions): Promise<DatasetRecord> {
  const { settings, component } = opts;
  const split = (key: string) => splitOf(key, settings.splits);
  const set = new RowSet(createRedactor(settings.redact), noRedactions());
  const failureCap = Math.max(1, Math.floor(settings.maxRows * (1 - settings.replayShare)));

  const cases = await loadTrustedCases(deps.db, component, opts.patternIds, settings.maxRows);
  const views = await viewsOf(deps.db, cases.flatMap((c) => [c.callId, ...(c.laterCallId ? [c.laterCallId] : [])]));
  const teacher = emptyTeacherTally(settings.teacher ?? null);
  const teacherInput = settings.teacher
    ? { model: settings.teacher, deps: { registry: deps.registry, prices: deps.prices ?? (() => null), check: deps.check, judge: deps.judge }, concurrency: TEACHER_CONCURRENCY, ...(deps.signal ? { signal: deps.signal } : {}) }
    : null;
  await collectFailureRows(set, { cases, views, cap: failureCap, splitOf: split, teacher: teacherInput }, teacher);

  const { gateKeys, dropped: leaksDropped } = dropGateLeaks(set);
  const built = countRows(set.rows).bySource;
  const trusted = built.correction + built.later_prompt + built.teacher;
  if (trusted < settings.minExamples) throw new RetrainDatasetError(trusted, settings.minExamples, { correction: built.correction, later_prompt: built.later_prompt, teacher: built.teacher });

  const candidates = await loadReplayCandidates(deps.db, component, settings.maxRows);
  const failingInputs = new Set(cases.flatMap((c) => (c.inputHash ? [c.inputHash] : [])));
  addReplayRows(set, { candidates, views: await viewsOf(deps.db, candidates.map((c) => c.callId)), failingInputs, share: settings.replayShare, maxRows: settings.maxRows, splitOf: split }, gateKeys);
  const cutForReplayShare = cutToReplayShare(set, settings.replayShare);

  const id = newUuidV7();
  const root = settings.dir ?? path.join(deps.dataDir, 'retrain');
  const dir = path.resolve(root, 'datasets', id);
  const rows = datasetFiles(set.rows);
  const gateOnly = evaluationOnlyGateRows(set, cases, views, split);
  rows['gate.jsonl'].push(...gateOnly);
  const encoded = encodeFiles(rows);
  const counts = { ...countRows(set.rows), gateEvaluationOnly: gateOnly.length, preferencePairs: rows['preference.jsonl'].length, duplicatesDropped: set.duplicatesDropped, leaksDropped, cutForReplayShare, redactions: set.redactions, teacher };
  const manifest = {
    id,
    recommendationId: opts.recommendationId,
    component,
    patternIds: [...opts.patternIds],
    createdAt: new Date().toISOString(),
    sha256: encoded.sha256,
    files: encoded.files,
    counts,
    settings: { minExamples: settings.minExamples, replayShare: settings.replayShare, maxRows: settings.maxRows, splits: settings.splits, teacher: settings.teacher ?? null },
  };
  await writeDirAtomically(dir, { ...encoded.contents, 'manifest.json': `${JSON.stringify(manifest, null, 2)}\n` });
  try {
    const [row] = await deps.db
      .insert(finetuneDatasets)
      .values({ id, recommendationId: opts.recommendationId, component, sha256: encoded.sha256, dir, files: encoded.files, counts, manifest, createdAt: new Date(manifest.createdAt) })
      .returning();
    return row!;
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * The patterns' failing calls of gate sessions that have no trusted target: the evaluation replays and
 * scores them like the others (it needs no target), so the gate measures the pattern on all its held-out
 * cases, not only on those someone corrected. They are written to gate.jsonl with their input (redacted)
 * and `source: "untargeted"`; never to a training file.
 */
function evaluationOnlyGateRows(set: RowSet, cases: readonly TrustedCase[], views: ReadonlyMap<string, CallView>, split: (key: string) => string): unknown[] {
  const inRows = new Set(set.rows.map((r) => r.callId));
  const out: unknown[] = [];
  for (const c of cases) {
    if (inRows.has(c.callId) || split(c.sessionId ?? c.callId) !== 'gate') continue;
    const request = views.get(c.callId)?.request as { messages?: unknown; tools?: unknown } | undefined;
    if (!request || !Array.isArray(request.messages)) continue;
    out.push({ messages: set.redact(request.messages), ...(request.tools ? { tools: set.redact(request.tools) } : {}), metadata: { call_id: c.callId, kind: 'pattern', source: 'untargeted' } });
  }
  return out;
}
