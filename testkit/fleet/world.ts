/**
 * The simulated world: the fleet's components and the hidden fact table of every input the agents sent
 * (what the right answer to it is). The simulated models, the judge and the harness all read it; the
 * gateway never does.
 */
import { clauseAnalyzer } from './components/clause-analyzer.ts';
import { invoiceExtractor } from './components/invoice-extractor.ts';
import { orderStatus } from './components/order-status.ts';
import { productRecommender } from './components/product-recommender.ts';
import { ticketRouter } from './components/ticket-router.ts';
import { ticketSummarizer } from './components/ticket-summarizer.ts';
import type { ComponentSpec, FleetInput, ProblemSpec } from './types.ts';

/** The six components: three whose problem a prompt can fix, one with a knowledge problem, one with both kinds, one healthy control. */
export const fleetComponents: readonly ComponentSpec[] = [ticketRouter, invoiceExtractor, ticketSummarizer, clauseAnalyzer, productRecommender, orderStatus];

export class World {
  readonly components: ReadonlyMap<string, ComponentSpec>;
  readonly problems: readonly ProblemSpec[];
  private readonly inputs = new Map<string, FleetInput>();

  constructor(components: readonly ComponentSpec[] = fleetComponents) {
    this.components = new Map(components.map((c) => [c.name, c]));
    this.problems = components.flatMap((c) => c.problems);
  }

  component(name: string): ComponentSpec {
    const c = this.components.get(name);
    if (!c) throw new Error(`no component ${name} in this fleet`);
    return c;
  }

  /** Records an input the agents are about to send (the same text always carries the same truth). */
  register(input: FleetInput): FleetInput {
    const known = this.inputs.get(input.text);
    if (known) return known;
    this.inputs.set(input.text, input);
    return input;
  }

  /** The input whose user message this is, if an agent sent it. */
  lookup(text: string): FleetInput | undefined {
    return this.inputs.get(text);
  }

  /** The component a system prompt belongs to, by the words every version of it keeps. */
  componentOfPrompt(prompt: string): ComponentSpec | undefined {
    return [...this.components.values()].find((c) => c.identity.test(prompt));
  }

  problem(id: string): ProblemSpec | undefined {
    return this.problems.find((p) => p.id === id);
  }
}
