/**
 * The simulated provider on 127.0.0.1: one OpenAI-compatible server that answers as the agents' model,
 * the judge, the optimizer model and the embeddings model (the fleet's Simulation), and serves the files
 * and fine-tuning jobs API (testkit/fake-finetune). A tuned model knows the hidden facts of the
 * components its training rows taught (testkit/fleet/tuning.ts), and answers as the base model for the rest.
 */
import { startFakeFineTuning, type FakeFineTuning, type TrainingRow } from '../testkit/fake-finetune/index.ts';
import { textOf, textReply } from '../testkit/fake-upstream/index.ts';
import { BASE_MODEL, learnsFacts, Simulation, TUNED_MODEL, type World } from '../testkit/fleet/index.ts';

export interface SimulatedProvider {
  /** `http://127.0.0.1:PORT/v1` */
  baseUrl: string;
  sim: Simulation;
  ft: FakeFineTuning;
  /** Components each succeeded job's model learned, by tuned model id. */
  learned: Map<string, string[]>;
  close(): Promise<void>;
}

/** The component of a chat request, by its last user message (an input the agents sent). */
function componentOf(world: World, messages: unknown): string | undefined {
  if (!Array.isArray(messages)) return undefined;
  const user = [...messages].reverse().find((m: { role?: unknown }) => m?.role === 'user') as { content?: unknown } | undefined;
  return user ? world.lookup(textOf(user.content))?.component : undefined;
}

export async function startSimulatedProvider(world: World, seed: number): Promise<SimulatedProvider> {
  const sim = new Simulation(world, seed);
  const reply = (body: Record<string, unknown>) => {
    const r = sim.chat(body);
    return r && textReply(r.content, JSON.stringify(body['messages'] ?? ''), r.finish);
  };
  const learned = new Map<string, string[]>();
  const ft = await startFakeFineTuning({
    record: false,
    tickMs: 40,
    responder: { chat: reply, embed: (inputs) => sim.embed(inputs) },
    learn: (rows: TrainingRow[], job) => {
      const components = [...new Set(rows.map((r) => componentOf(world, r.messages)).filter((c): c is string => c !== undefined))];
      const knows = new Set(components.filter((c) => learnsFacts(world, c, rows)));
      learned.set(job.model, [...knows]);
      // The tuned model knows the facts its rows taught, and answers as the base model elsewhere.
      return (body) => reply({ ...body, model: knows.has(componentOf(world, body['messages']) ?? '') ? TUNED_MODEL : BASE_MODEL });
    },
  });
  return { baseUrl: ft.openaiBaseUrl, sim, ft, learned, close: () => ft.close() };
}
