/** What a simulated component is made of: its prompt, its output contract, its problems and its ground truth. */
import type { Rng } from './random.ts';

export type Diagnosis = 'behavioral' | 'knowledge';

/** The cause of a failure that is no systematic problem: a one-off glitch of the model. */
export const GLITCH = 'glitch';

/** One real, systematic problem of a component: what the loop should find, group, diagnose and fix. */
export interface ProblemSpec {
  /** `<component>/<name>`, the ground-truth label of every failure it causes. */
  id: string;
  diagnosis: Diagnosis;
  /** A behavioral problem goes away with a prompt that states the contract; a knowledge one only with a model that knows. */
  promptFixable: boolean;
  summary: string;
  /** The component's declared rules this problem breaks (its rule failures belong to it). */
  ruleIds: string[];
}

/** One agent input: the user message the agent sends, and the truth an answer to it should carry. */
export interface FleetInput {
  component: string;
  /** The user message (also the key of the hidden fact table). */
  text: string;
  truth: Record<string, unknown>;
}

/** A phrase of a system prompt that states part of the output contract. */
export interface ContractFeature {
  id: string;
  /** Matched against the system prompt (and any few-shot examples' text). */
  pattern: RegExp;
  weight: number;
}

export interface Contract {
  features: ContractFeature[];
  /** Compliance with a prompt that states none of the features, and with one that states them all. */
  vague: number;
  precise: number;
  /** Sentences that state the whole contract (what a good optimizer proposal writes). */
  statement: string;
  /** Sentences that state part of it. */
  partial: string[];
}

/** What the simulated model answered, and why it is wrong (problem ids or GLITCH), when it is. */
export interface Outcome {
  text: string;
  causes: string[];
  finish: 'stop' | 'length';
}

export interface AnswerContext {
  input: FleetInput;
  /** The system prompt the model was given (after any hot-swap). */
  system: string;
  /** This answer follows the output contract. */
  complies: boolean;
  /** The model knows the fact this input needs (always so for inputs that need none). */
  knows: boolean;
  rng: Rng;
}

export interface ParaphraseContext {
  input: FleetInput;
  output: string;
  rng: Rng;
}

export interface ComponentSpec {
  name: string;
  description: string;
  /** Relative share of the fleet's traffic. */
  weight: number;
  /** The agent's own system prompt, with its variable parts (the gateway infers them as slots). */
  prompt(slots: Record<string, string>): string;
  slots(rng: Rng): Record<string, string>;
  /** The sentence of the agent's prompt that leaves the contract vague (an optimizer may replace it). */
  vagueInstruction: string;
  /** Words every prompt of this component keeps (how the optimizer model recognizes it). */
  identity: RegExp;
  contract: Contract;
  /** Sentences about the facts, which an optimizer may add for a knowledge problem (a prompt cannot teach them). */
  knowledgeHint?: string;
  /** Probability that a model that was not tuned knows what this input needs (1: nothing to know). */
  baseKnows(input: FleetInput): number;
  /**
   * Which of the component's knowledge problems the fact this input needs belongs to (the problem id): a
   * tuned model knows the facts of a problem once its training rows taught enough of them. Without it,
   * all the component's facts are one.
   */
  factOf?(input: FleetInput): string;
  problems: ProblemSpec[];
  /** Declared rules, as in the gateway's YAML. */
  rules: Record<string, unknown>[];
  rubric: string;
  input(rng: Rng): FleetInput;
  answer(ctx: AnswerContext): Outcome;
  /** The oracle: what is wrong with an output (problem ids; GLITCH for anything else); [] when it is right. */
  grade(input: FleetInput, output: string): string[];
  /** The output that should have been produced (a user's correction). */
  correct(input: FleetInput): string;
  /** The judge's rationale and failed criteria for a cause, paraphrased. */
  rationale(cause: string, ctx: ParaphraseContext): { rationale: string; criteria: string[] };
  /** A user's comment on a cause, paraphrased. */
  comment(cause: string, ctx: ParaphraseContext): string;
}
