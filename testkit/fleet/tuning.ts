/**
 * What fine-tuning teaches the simulated model: it learns a component's hidden facts when its training
 * rows show enough of them — rows whose input is one of the fleet's, answered with the right answer
 * where the untuned model is unsure (its knowledge below certainty). Rows of inputs the base model
 * already gets right, wrong targets, or too few rows teach nothing. Used by a fake fine-tuning API
 * (testkit/fake-finetune) to decide which model a tuned model id answers as.
 */
import type { World } from './world.ts';

export interface TrainingRowLike {
  messages: { role: string; content?: unknown }[];
}

/** Rows teaching a fact the base model is unsure of that a tuned model needs before it knows them. */
export const ROWS_TO_LEARN = 6;

const text = (c: unknown): string => (typeof c === 'string' ? c : '');

/** Whether a model tuned on these rows knows the facts of `component`. */
export function learnsFacts(world: World, component: string, rows: readonly TrainingRowLike[]): boolean {
  const spec = world.component(component);
  let teaching = 0;
  for (const row of rows) {
    const user = [...row.messages].reverse().find((m) => m.role === 'user');
    const answer = [...row.messages].reverse().find((m) => m.role === 'assistant');
    const input = user && world.lookup(text(user.content));
    if (!input || input.component !== component || !answer) continue;
    if (spec.baseKnows(input) < 1 && spec.grade(input, text(answer.content)).length === 0) teaching++;
  }
  return teaching >= ROWS_TO_LEARN;
}
