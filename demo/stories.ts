/**
 * The demo's world: the fleet's components that tell the three stories Fixpoint exists for, and the
 * healthy one that must come out untouched. The components, their hidden facts and their problems are
 * the simulated fleet's (testkit/fleet); the demo only picks them and says what each story is.
 */
import { clauseAnalyzerWithJurisdictions } from '../testkit/fleet/components/clause-analyzer.ts';
import { orderStatus } from '../testkit/fleet/components/order-status.ts';
import { productRecommender } from '../testkit/fleet/components/product-recommender.ts';
import { ticketRouter } from '../testkit/fleet/components/ticket-router.ts';
import { World, type ComponentSpec } from '../testkit/fleet/index.ts';

/** What the loop should do about a component: fix it with a prompt, with a tuned model, both, or leave it alone. */
export type Remedy = 'prompt' | 'tuned model' | 'prompt + tuned model' | 'none';

export interface Story {
  component: string;
  title: string;
  /** What is wrong with it, in the words of the person who would file it. */
  problem: string;
  expected: Remedy;
}

export const stories: readonly Story[] = [
  {
    component: ticketRouter.name,
    title: 'The intent classifier with inconsistent labels',
    problem: 'answers BILLING_ISSUE, "This is a billing question." or Billing where the contract is billing | technical | account',
    expected: 'prompt',
  },
  {
    component: clauseAnalyzerWithJurisdictions.name,
    title: 'The legal clause analyzer',
    problem: 'confuses indemnification with limitation of liability and misses jurisdiction-specific terms — knowledge no prompt gives it',
    expected: 'tuned model',
  },
  {
    component: productRecommender.name,
    title: 'The product recommender',
    problem: 'ignores the JSON output format and recommends products the catalogue does not have',
    expected: 'prompt + tuned model',
  },
  {
    component: orderStatus.name,
    title: 'The healthy order-status assistant',
    problem: 'nothing: its failures are one-off glitches, and the loop must leave it alone',
    expected: 'none',
  },
];

/**
 * The fleet's classifier, as the story tells it: about 70 % of its labels in the contract's form under
 * its vague prompt (the fleet's own starts at 45 %, to give its grouping more to find).
 */
export const demoTicketRouter: ComponentSpec = { ...ticketRouter, contract: { ...ticketRouter.contract, vague: 0.7 } };

export function demoWorld(): World {
  return new World([demoTicketRouter, clauseAnalyzerWithJurisdictions, productRecommender, orderStatus]);
}
