/**
 * The simulated provider on 127.0.0.1: one OpenAI-compatible server that answers as the agents' model,
 * the judge, the optimizer model and the embeddings model (the fleet's Simulation), and serves the files
 * and fine-tuning jobs API (testkit/fake-finetune). A tuned model knows the hidden facts of the
 * components its training rows taught (testkit/fleet/tuning.ts), and answers as the base model for the rest.
 */
import { startFakeFineTuning, type FakeFineTuning, type TrainingRow } from '../testkit/fake-finetune/index.ts';
import { textReply } from '../testkit/fake-upstream/index.ts';
import { learnedFacts, Simulation, tunedAnswersAs, type World } from '../testkit/fleet/index.ts';

export interface SimulatedProvider {
  /** `http://127.0.0.1:PORT/v1` */
  baseUrl: string;
  sim: Simulation;
  ft: FakeFineTuning;
  /** The facts (testkit/fleet/tuning.ts) each succeeded job's model knows, by tuned model id. */
  learned: Map<string, Set<string>>;
  close(): Promise<void>;
}

export async function startSimulatedProvider(world: World, seed: number): Promise<SimulatedProvider> {
  const sim = new Simulation(world, seed);
  const reply = (body: Record<string, unknown>) => {
    const r = sim.chat(body);
    return r && textReply(r.content, JSON.stringify(body['messages'] ?? ''), r.finish);
  };
  const learned = new Map<string, Set<string>>();
  const ft = await startFakeFineTuning({
    record: false,
    tickMs: 40,
    responder: { chat: reply, embed: (inputs) => sim.embed(inputs) },
    learn: (rows: TrainingRow[], job) => {
      // A model tuned again keeps what its base model had learned.
      const knows = new Set([...(learned.get(job.baseModel) ?? []), ...learnedFacts(world, rows)]);
      learned.set(job.model, knows);
      // The tuned model knows the facts its rows taught, and answers as the base model elsewhere.
      return (body) => reply({ ...body, model: tunedAnswersAs(world, knows, body['messages']) });
    },
  });
  return { baseUrl: ft.openaiBaseUrl, sim, ft, learned, close: () => ft.close() };
}
