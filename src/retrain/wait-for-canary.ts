import { componentsOnCanary } from '../prompts/index.ts';
import type { RecommendationRow } from '../db/index.ts';
import type { RetrainDeps } from './deps.ts';

/**
 * True (and said in the log) while the recommendation's component has a prompt version on canary:
 * what serves it is about to change, so a tuned model is neither trained nor judged until the canary
 * monitor has decided — its dataset and its gate replay requests under the prompt that will serve.
 * The step stays where it is; the sweep takes it up again (`resumeStalled`).
 */
export async function waitsForPromptCanary(deps: RetrainDeps, rec: RecommendationRow, step: 'training' | 'evaluation'): Promise<boolean> {
  if ((await componentsOnCanary(deps.db, rec.component)).size === 0) return false;
  deps.logger.info({ recommendation: rec.id, component: rec.component, step }, `fine-tuning ${step} waits for the prompt canary to be decided`);
  return true;
}
