/**
 * The simulated OpenAI-compatible provider on 127.0.0.1: the fake upstream's HTTP plumbing (wire shapes,
 * streaming, usage, errors) with the simulation's models plugged in.
 */
import { startFakeUpstream, textReply } from '../fake-upstream/index.ts';
import { Simulation } from './simulation.ts';
import type { World } from './world.ts';

export interface SimProvider {
  /** `http://127.0.0.1:PORT/v1`, for an OpenAI-compatible provider's baseUrl. */
  baseUrl: string;
  sim: Simulation;
  close(): Promise<void>;
}

export async function startSimProvider(opts: { world: World; seed: number; port?: number }): Promise<SimProvider> {
  const sim = new Simulation(opts.world, opts.seed);
  const fake = await startFakeUpstream({
    record: false,
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    responder: {
      chat(body) {
        const r = sim.chat(body);
        return r && textReply(r.content, JSON.stringify(body['messages'] ?? ''), r.finish);
      },
      embed: (inputs) => sim.embed(inputs),
    },
  });
  return { baseUrl: fake.openaiBaseUrl, sim, close: () => fake.close() };
}
