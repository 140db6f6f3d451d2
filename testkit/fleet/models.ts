/** The model ids the simulated provider serves. */

/** What the agents call: follows the contract as well as its prompt states it; does not know the hidden facts. */
export const BASE_MODEL = 'sim-base';
/** The same model after fine-tuning on the fleet's facts: it knows the hidden fact table. */
export const TUNED_MODEL = 'sim-tuned';
export const JUDGE_MODEL = 'sim-judge';
export const OPTIMIZER_MODEL = 'sim-optimizer';
export const EMBEDDINGS_MODEL = 'sim-embed';

/** A model id that knows the facts (a fine-tuned one). */
export const knowsFacts = (model: string): boolean => /tuned|ft:/.test(model);

/** Markers of the gateway's own requests (duplicated from src on purpose: the simulation imports nothing of the product). */
export const JUDGE_MARKER = 'You are the Fixpoint judge';
export const OPTIMIZER_MARKER = 'You are the Fixpoint prompt optimizer';
