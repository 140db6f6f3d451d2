/**
 * The simulated optimizer model. It reads the current prompt and the failing cases as an LLM would, and
 * its proposals are of uneven quality, as real ones are: some spell out the output contract (which fixes
 * a behavioral problem), some state part of it, some only reword the vague instruction, some add a hint
 * about the facts (which no prompt can teach a model that lacks them), some break a {{slot}}, some grow
 * past any reasonable length.
 */
import { pick, rngOf, weighted, type Rng } from './random.ts';
import { GLITCH, type ComponentSpec, type FleetInput } from './types.ts';
import type { World } from './world.ts';

export type Strategy = 'contract' | 'partial' | 'vague' | 'hint' | 'broken' | 'verbose';

export interface OptimizerCases {
  prompt: string;
  slots: string[];
  failing_cases: { input: string; output: string; problems: string[]; correction: unknown }[];
}

export interface Proposal {
  template: string;
  rationale: string;
  strategy: Strategy;
}

/** The optimizer request's data block (the nonce is declared in the system prompt). */
export function optimizerCases(system: string, user: string): { data: OptimizerCases; raw: string } | null {
  const nonce = /<optimizer_cases id="([^"<>\s]+)">/.exec(system)?.[1];
  if (!nonce) return null;
  const open = `<optimizer_cases id="${nonce}">`;
  const start = user.indexOf(open);
  const end = user.indexOf(`</optimizer_cases id="${nonce}">`, start + open.length);
  if (start < 0 || end < 0) return null;
  const raw = user.slice(start + open.length, end);
  try {
    return { data: JSON.parse(raw) as OptimizerCases, raw };
  } catch {
    return null;
  }
}

const vagueSentences = ['Be precise and consistent.', 'Make sure the answer is accurate and helpful.', 'Follow the instructions carefully.', 'Think about what the team needs before answering.', 'Double-check your answer.'];

/** What the cases are mostly about: the most common true cause of their outputs. */
function mainCause(world: World, data: OptimizerCases, truthOf: (input: FleetInput, output: string) => string[]): string | null {
  const counts = new Map<string, number>();
  for (const c of data.failing_cases) {
    let turns: { role?: string; content?: unknown }[];
    try {
      turns = JSON.parse(c.input) as { role?: string; content?: unknown }[];
    } catch {
      continue; // cut at the optimizer's size limit
    }
    const user = [...turns].reverse().find((t) => t.role === 'user')?.content;
    const input = typeof user === 'string' ? world.lookup(user) : undefined;
    if (!input) continue;
    for (const cause of truthOf(input, c.output)) counts.set(cause, (counts.get(cause) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

function strategyFor(rng: Rng, spec: ComponentSpec, cause: string | null, world: World): Strategy {
  const problem = cause && cause !== GLITCH ? world.problem(cause) : undefined;
  if (problem?.diagnosis === 'behavioral') return weighted(rng, [['contract', 0.35], ['partial', 0.2], ['vague', 0.25], ['broken', 0.1], ['verbose', 0.1]] as const);
  if (problem?.diagnosis === 'knowledge' && spec.knowledgeHint) return weighted(rng, [['hint', 0.45], ['vague', 0.3], ['broken', 0.1], ['verbose', 0.15]] as const);
  return weighted(rng, [['vague', 0.55], ['partial', 0.15], ['broken', 0.15], ['verbose', 0.15]] as const);
}

/** Puts a sentence in place of the vague instruction, or after it, or at the end. */
function withSentence(prompt: string, vague: string, sentence: string, replace: boolean): string {
  if (prompt.includes(vague)) return prompt.replace(vague, replace ? sentence : `${vague} ${sentence}`);
  return `${prompt.trimEnd()} ${sentence}`;
}

export function propose(world: World, seed: number, data: OptimizerCases, raw: string, occurrence: number, truthOf: (input: FleetInput, output: string) => string[]): Proposal {
  const rng = rngOf(seed, 'optimizer', raw, occurrence);
  const spec = world.componentOfPrompt(data.prompt);
  if (!spec) return { template: `${data.prompt.trimEnd()} ${pick(rng, vagueSentences)}`, rationale: 'clarify the instructions', strategy: 'vague' };
  const cause = mainCause(world, data, truthOf);
  let strategy = strategyFor(rng, spec, cause, world);
  const vague = spec.vagueInstruction;
  const fresh = spec.contract.partial.filter((p) => !data.prompt.includes(p));
  if (strategy === 'contract' && data.prompt.includes(spec.contract.statement)) strategy = 'vague';
  if (strategy === 'partial' && fresh.length === 0) strategy = 'vague';
  switch (strategy) {
    case 'contract':
      return { template: withSentence(data.prompt, vague, spec.contract.statement, true), rationale: 'the failures break the output contract; state it exactly', strategy };
    case 'partial':
      return { template: withSentence(data.prompt, vague, pick(rng, fresh), false), rationale: 'make the expected output clearer', strategy };
    case 'hint':
      return { template: withSentence(data.prompt, vague, spec.knowledgeHint ?? '', false), rationale: 'the answers get the domain facts wrong; explain them', strategy };
    case 'vague':
      return { template: withSentence(data.prompt, vague, pick(rng, vagueSentences), false), rationale: 'ask for more care', strategy };
    case 'broken': {
      const slot = pick(rng, data.slots.length > 0 ? data.slots : ['slot1']);
      const template = rng() < 0.5 ? data.prompt.replace(`{{${slot}}}`, '') : data.prompt.replace(`{{${slot}}}`, '{{customer_name}}');
      return { template: withSentence(template, vague, spec.contract.statement, true), rationale: 'restructure the prompt and state the contract', strategy };
    }
    case 'verbose': {
      const filler = 'You are a meticulous, world-class professional who always reads every detail of the input, considers the context of the business, the needs of every stakeholder, and the consequences of each answer before writing it. ';
      const grown = filler.repeat(Math.ceil((data.prompt.length * 0.8) / filler.length));
      return { template: withSentence(`${grown}${data.prompt}`, vague, spec.contract.statement, true), rationale: 'give the model a rich persona and the exact contract', strategy };
    }
  }
}
