import type { OptimizerSettings } from '../config/index.ts';
import type { Db, StoredCandidate } from '../db/index.ts';
import { createPromptVersion, movePromptPointer } from '../prompts/index.ts';

/**
 * An accepted candidate becomes a new prompt version of the component; by policy (canaryShare > 0)
 * it goes live as a canary at once, announced to every gateway — unless another version is on
 * canary still: that one is being judged, and the new version waits as a candidate (`canaried`
 * false) rather than replacing it unjudged.
 */
export async function publishCandidate(
  deps: { db: Db; announcePrompts: () => Promise<void> },
  run: { id: string; component: string; patternId: string },
  best: StoredCandidate,
  s: OptimizerSettings,
): Promise<{ id: string; version: number; canaried: boolean }> {
  const version = await createPromptVersion(deps.db, run.component, { template: best.template, model: best.model, ...(best.fewShot ? { fewShot: best.fewShot } : {}), source: 'optimizer', runId: run.id, patternId: run.patternId, note: `run ${run.id}, candidate ${best.id}` }, 'optimizer');
  if (s.canaryShare <= 0) return { ...version, canaried: false };
  const moved = await movePromptPointer(deps.db, version.id, { action: 'canary', share: s.canaryShare, unlessRunning: true }, 'optimizer');
  if (moved.canaryVersionId !== version.id) return { ...version, canaried: false };
  await deps.announcePrompts();
  return { ...version, canaried: true };
}
