import { eq } from 'drizzle-orm';
import { finetuneRecommendations, moveRecommendation, promptVersions, type RecommendationRow } from '../db/index.ts';
import { createPromptVersion, movePromptPointer } from '../prompts/index.ts';
import { currentSetup } from './current-setup.ts';
import { notify, type RetrainDeps } from './deps.ts';

/**
 * An accepted tuned model goes into traffic as a new prompt version of the component — the current
 * prompt, carrying the tuned model as its model override — on a canary through the hot-swap
 * machinery (sticky per session; the canary monitor promotes or rolls back by itself). While another
 * version is on canary the new one waits as a candidate and the next sweep tries again; if the
 * component's live prompt changed meanwhile (a prompt canary was promoted), the waiting version is
 * made again on the new prompt, so the tuned model does not take back a prompt fix.
 */
export async function publishTunedModel(deps: RetrainDeps, rec: RecommendationRow): Promise<void> {
  const setup = await currentSetup(deps.db, rec.component);
  const template = setup.active?.template ?? setup.observedText;
  const fewShot = setup.active?.fewShot ?? [];
  let versionId = rec.versionId;
  if (versionId) {
    const [waiting] = await deps.db.select().from(promptVersions).where(eq(promptVersions.id, versionId));
    const stale = waiting?.status === 'candidate' && (waiting.template !== template || JSON.stringify(waiting.fewShot) !== JSON.stringify(fewShot));
    if (stale) versionId = null;
  }
  if (!versionId) {
    if (template === null) throw new Error(`component ${rec.component} has no observed prompt to carry the tuned model`);
    const version = await createPromptVersion(
      deps.db,
      rec.component,
      { template, model: rec.tunedModel, fewShot, source: 'retrain', recommendationId: rec.id, note: `tuned model ${rec.tunedModel} (recommendation ${rec.id})` },
      'retrain',
    );
    versionId = version.id;
    await deps.db.update(finetuneRecommendations).set({ versionId }).where(eq(finetuneRecommendations.id, rec.id));
  }
  if (deps.settings.canaryShare <= 0) return;
  const moved = await movePromptPointer(deps.db, versionId, { action: 'canary', share: deps.settings.canaryShare, unlessRunning: true }, 'retrain');
  if (moved.canaryVersionId !== versionId) return;
  await deps.announcePrompts();
  const changed = await moveRecommendation(deps.db, rec.id, { from: ['evaluating'], to: 'canary', actor: 'retrain', detail: { versionId, share: deps.settings.canaryShare }, patch: { versionId } });
  if (changed) await notify(deps, rec.id, changed.eventId);
}
