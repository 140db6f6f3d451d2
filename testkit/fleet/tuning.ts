/**
 * What fine-tuning teaches the simulated model: it learns a fact — one knowledge problem of a component
 * (`ComponentSpec.factOf`), or all of a component's facts when it has one — when its training rows show
 * enough of it: rows whose input is one of the fleet's, answered with the right answer where the untuned
 * model is unsure (its knowledge below certainty). Rows of inputs the base model already gets right,
 * wrong targets, or too few rows of a fact teach nothing of it. Used by a fake fine-tuning API
 * (testkit/fake-finetune) to decide which model a tuned model id answers as.
 */
import { textOf } from '../fake-upstream/index.ts';
import { BASE_MODEL, TUNED_MODEL } from './models.ts';
import type { FleetInput } from './types.ts';
import type { World } from './world.ts';

export interface TrainingRowLike {
  messages: { role: string; content?: unknown }[];
}

/** Rows teaching a fact the base model is unsure of that a tuned model needs before it knows it. */
export const ROWS_TO_LEARN = 6;


/** The fact an input needs: its component's knowledge problem it belongs to, or the component. */
export function factOf(world: World, input: FleetInput): string {
  const spec = world.component(input.component);
  return spec.factOf?.(input) ?? spec.name;
}

/** The facts a model tuned on these rows knows. */
export function learnedFacts(world: World, rows: readonly TrainingRowLike[]): Set<string> {
  const teaching = new Map<string, number>();
  for (const row of rows) {
    const user = [...row.messages].reverse().find((m) => m.role === 'user');
    const answer = [...row.messages].reverse().find((m) => m.role === 'assistant');
    const input = user && world.lookup(textOf(user.content));
    if (!input || !answer) continue;
    const spec = world.component(input.component);
    if (spec.baseKnows(input) >= 1 || spec.grade(input, textOf(answer.content)).length > 0) continue;
    const fact = factOf(world, input);
    teaching.set(fact, (teaching.get(fact) ?? 0) + 1);
  }
  return new Set([...teaching].filter(([, n]) => n >= ROWS_TO_LEARN).map(([fact]) => fact));
}

/**
 * The model a tuned model answers a chat request as: the one that knows the facts when the request's
 * input (its last user message) needs a fact the rows taught, else the base model.
 */
export function tunedAnswersAs(world: World, learned: ReadonlySet<string>, messages: unknown): string {
  const last = Array.isArray(messages) ? [...(messages as { role?: unknown; content?: unknown }[])].reverse().find((m) => m?.role === 'user') : undefined;
  const input = last ? world.lookup(textOf(last.content)) : undefined;
  return input && learned.has(factOf(world, input)) ? TUNED_MODEL : BASE_MODEL;
}
