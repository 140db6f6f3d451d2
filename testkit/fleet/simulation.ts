/**
 * The simulated provider's brain: one object that answers as the agents' model, the judge, the optimizer
 * model and the embeddings model, and remembers what is true of every answer it gave (the ground truth
 * the harness scores the loop against). All randomness comes from the seed.
 */
import { createHash } from 'node:crypto';
import { isRecord, textOf } from '../fake-upstream/index.ts';
import { agentAnswer, type ChatTurn } from './agent-model.ts';
import { simEmbedding } from './embeddings.ts';
import { judgeCall, judgedCall } from './judge-model.ts';
import { JUDGE_MARKER, OPTIMIZER_MARKER } from './models.ts';
import { optimizerCases, propose, type Strategy } from './optimizer-model.ts';
import type { FleetInput } from './types.ts';
import type { World } from './world.ts';

export type Reply = { content: string; finish: 'stop' | 'length' };

export interface SimulationCounts {
  agent: number;
  judge: number;
  optimizer: number;
  embeddings: number;
  other: number;
  strategies: Record<Strategy, number>;
}

const key = (input: FleetInput, output: string): string => createHash('sha1').update(input.text).update('\u0000').update(output).digest('base64');

export class Simulation {
  readonly counts: SimulationCounts = { agent: 0, judge: 0, optimizer: 0, embeddings: 0, other: 0, strategies: { contract: 0, partial: 0, vague: 0, hint: 0, broken: 0, verbose: 0 } };
  /** What was wrong with each answer generated (by input and output). */
  private readonly truth = new Map<string, string[]>();
  /** The cause each judge rationale was written about ('noise' for a false alarm). */
  private readonly rationales = new Map<string, string>();
  private readonly optimizerSeen = new Map<string, number>();
  private samples = 0;

  constructor(readonly world: World, readonly seed: number) {}

  /** What is wrong with an output for an input: as generated, or by the component's oracle. */
  truthOf = (input: FleetInput, output: string): string[] => this.truth.get(key(input, output)) ?? this.world.component(input.component).grade(input, output);

  /** The cause a judge rationale was written about, if this judge wrote it. */
  causeOfRationale(rationale: string): string | undefined {
    return this.rationales.get(rationale);
  }

  /** A chat completion's reply, or null for requests the simulation does not model (the fake answers them). */
  chat(body: Record<string, unknown>): Reply | null {
    const messages = Array.isArray(body['messages']) ? body['messages'].filter(isRecord) : [];
    const turns: ChatTurn[] = messages.map((m) => ({ role: String(m['role']), content: textOf(m['content']) }));
    const system = turns.filter((t) => t.role === 'system' || t.role === 'developer').map((t) => t.content).join('\n');
    const rest = turns.filter((t) => t.role !== 'system' && t.role !== 'developer');
    const user = [...rest].reverse().find((t) => t.role === 'user')?.content ?? '';
    if (system.includes(JUDGE_MARKER)) return this.judge(system, user);
    if (system.includes(OPTIMIZER_MARKER)) return this.optimize(system, user);
    const model = typeof body['model'] === 'string' ? body['model'] : '';
    const temperature = typeof body['temperature'] === 'number' ? body['temperature'] : undefined;
    const a = agentAnswer(this.world, this.seed, { model, system, turns: rest, temperature }, this.samples++);
    if (!a) {
      this.counts.other++;
      return null;
    }
    this.counts.agent++;
    this.truth.set(key(a.input, a.text), a.causes);
    return { content: a.text, finish: a.finish };
  }

  embed(inputs: string[]): number[][] {
    this.counts.embeddings += inputs.length;
    return inputs.map(simEmbedding);
  }

  private judge(system: string, user: string): Reply | null {
    const call = judgedCall(system, user);
    if (!call) return null;
    this.counts.judge++;
    const j = judgeCall(this.world, this.seed, call, this.truthOf);
    if (j.cause !== null) this.rationales.set(j.verdict.rationale, j.cause);
    return { content: JSON.stringify(j.verdict), finish: 'stop' };
  }

  private optimize(system: string, user: string): Reply | null {
    const cases = optimizerCases(system, user);
    if (!cases) return null;
    this.counts.optimizer++;
    const seen = this.optimizerSeen.get(cases.raw) ?? 0;
    this.optimizerSeen.set(cases.raw, seen + 1);
    const p = propose(this.world, this.seed, cases.data, cases.raw, seen, this.truthOf);
    this.counts.strategies[p.strategy]++;
    return { content: JSON.stringify({ template: p.template, rationale: p.rationale }), finish: 'stop' };
  }
}
