/**
 * How clearly a system prompt spells out a component's output contract decides how often the simulated
 * model follows it, as with real models: each contract feature the prompt states (the labels, "only the
 * label", a word limit, the JSON keys, ...) adds its weight; worked examples that follow the contract
 * (few-shot) count too.
 */
import type { Contract } from './types.ts';

/** Share (0–1, by weight) of the contract's features the text states. */
export function clarity(contract: Contract, text: string): number {
  const total = contract.features.reduce((s, f) => s + f.weight, 0);
  if (total === 0) return 1;
  const stated = contract.features.filter((f) => f.pattern.test(text)).reduce((s, f) => s + f.weight, 0);
  return stated / total;
}

/** Worked examples of the contract (assistant turns before the input that follow it) this close the gap by. */
const exampleBonus = 0.35;

/**
 * Probability that an answer follows the contract, given the system prompt and the number of earlier
 * assistant turns in the conversation that follow it.
 */
export function complianceOf(contract: Contract, systemText: string, goodExamples = 0): number {
  const c = Math.min(1, clarity(contract, systemText) + exampleBonus * Math.min(1, goodExamples / 2));
  return contract.vague + (contract.precise - contract.vague) * c;
}
