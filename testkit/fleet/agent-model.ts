/**
 * The simulated model as the agents' model: whether an answer follows the output contract is drawn
 * from how clearly the system prompt states it (contract.ts); whether it is right where facts matter is
 * drawn per input from the component's knowledge — prompt-independent, and certain for a tuned model.
 * The draws are hashes of the seed, the model, the prompt and the input: the same request gets the same
 * answer (as at temperature 0) unless it asks for sampling (temperature > 0).
 */
import { complianceOf } from './contract.ts';
import { GLITCH_RATE, glitchAnswer } from './glitch.ts';
import { knowsFacts } from './models.ts';
import { rngOf, unitHash } from './random.ts';
import type { ComponentSpec, FleetInput, Outcome } from './types.ts';
import type { World } from './world.ts';

export interface ChatTurn {
  role: string;
  content: string;
}

export interface AgentAnswer extends Outcome {
  input: FleetInput;
  component: ComponentSpec;
  /** The probability of following the contract this prompt gave. */
  compliance: number;
}

/** Worked examples (assistant turns answering a known input) before the last user turn that follow the contract. */
function goodExamples(world: World, spec: ComponentSpec, turns: ChatTurn[]): number {
  let n = 0;
  for (let i = 1; i < turns.length - 1; i++) {
    const t = turns[i]!;
    const prev = turns[i - 1]!;
    if (t.role !== 'assistant' || prev.role !== 'user') continue;
    const input = world.lookup(prev.content);
    if (!input || input.component !== spec.name) continue;
    const fixable = new Set(spec.problems.filter((p) => p.promptFixable).map((p) => p.id));
    if (!spec.grade(input, t.content).some((c) => fixable.has(c))) n++;
  }
  return n;
}

/**
 * The answer to an agent's request, or null when its last user message is no input of the fleet.
 * `sample` tells apart repeated requests that ask for sampling (temperature > 0).
 */
export function agentAnswer(world: World, seed: number, req: { model: string; system: string; turns: ChatTurn[]; temperature: number | undefined }, sample: number): AgentAnswer | null {
  const last = [...req.turns].reverse().find((t) => t.role === 'user');
  const input = last && world.lookup(last.content);
  if (!input) return null;
  const spec = world.component(input.component);
  const draw = req.temperature === 0 ? 'greedy' : `sample-${sample}`;
  const compliance = complianceOf(spec.contract, req.system, goodExamples(world, spec, req.turns));
  const complies = unitHash(seed, 'comply', req.model, req.system, input.text, draw) < compliance;
  // Knowledge lives in the weights: the same for every prompt and every sample of an untuned model.
  const knows = knowsFacts(req.model) || unitHash(seed, 'knows', input.text) < spec.baseKnows(input);
  const rng = rngOf(seed, 'variant', req.model, req.system, input.text, draw);
  const outcome = spec.answer({ input, system: req.system, complies, knows, rng });
  if (unitHash(seed, 'glitch', req.model, req.system, input.text, draw) < GLITCH_RATE) {
    const g = glitchAnswer(rng, outcome.text);
    return { text: g.text, causes: g.causes, finish: g.finish, input, component: spec, compliance };
  }
  return { ...outcome, input, component: spec, compliance };
}
