/**
 * The healthy control: an order-status assistant whose prompt is clear and whose model knows what it
 * needs (the order details are in the prompt). Its failures are one-off glitches only; the loop should
 * leave it alone, and its pass rate must not fall.
 */
import { glitchComment, glitchRationale } from '../glitch.ts';
import { int, isoDate, personName, pick, say, wordCount, type Rng } from '../random.ts';
import { GLITCH, type ComponentSpec } from '../types.ts';

const NAME = 'order-status';
const stores = ['Trailhead Outfitters', 'Summit Gear', 'Basecamp Co', 'Ridge & River'];
const carriers = ['DHL', 'UPS', 'FedEx', 'PostNL', 'Royal Mail'];
const statuses = ['shipped', 'in transit', 'out for delivery', 'being packed'];

const questions = ['Where is my order?', 'When will my package arrive?', 'Has my order shipped yet?', 'Can you check the status of my order?', 'Any news on my delivery?', 'Is my parcel on its way?'];

function answerText(rng: Rng, s: { order: string; status: string; carrier: string; eta: string }): string {
  return say(rng, [
    'Your order {order} is {status} with {carrier} and should arrive by {eta}.',
    'Good news: order {order} is {status} ({carrier}); expected delivery is {eta}.',
    'Order {order} is currently {status} via {carrier}. It should reach you by {eta}.',
  ], { order: [s.order], status: [s.status], carrier: [s.carrier], eta: [s.eta] });
}

export const orderStatus: ComponentSpec = {
  name: NAME,
  description: 'answers order-status questions (healthy control)',
  weight: 0.14,
  prompt: (s) => `You are the order-status assistant of ${s['store']}. Customer: ${s['name']}. Order ${s['order']} is ${s['status']} with ${s['carrier']}, expected by ${s['eta']}. Answer the customer's question in one or two friendly sentences of at most 40 words, using only these order details.`,
  slots: (rng) => ({ store: pick(rng, stores), name: personName(rng), order: `#${int(rng, 100000, 999999)}`, status: pick(rng, statuses), carrier: pick(rng, carriers), eta: isoDate(rng) }),
  vagueInstruction: "Answer the customer's question in one or two friendly sentences of at most 40 words, using only these order details.",
  identity: /order-status assistant of/,
  contract: {
    features: [{ id: 'limit', pattern: /\b(at most|no more than|under)\s+\d+\s+words\b|\b(one|two) (friendly )?sentences\b/i, weight: 1 }],
    vague: 1,
    precise: 1,
    statement: "Answer the customer's question in one or two friendly sentences of at most 40 words, using only these order details.",
    partial: [],
  },
  baseKnows: () => 1,
  problems: [],
  rules: [
    { id: 'brief', type: 'length', unit: 'words', max: 60 },
    { id: 'no-ai-talk', type: 'regex', pattern: '\\bas an ai\\b', flags: 'i', mustMatch: false },
  ],
  rubric: "A friendly, accurate answer about the order's status and delivery date, in one or two sentences.",
  input(rng) {
    // The order details travel in the system prompt's slots; the user message only asks.
    return { component: NAME, text: `${pick(rng, questions)} (ref ${int(rng, 10000, 99999)})`, truth: {} };
  },
  answer({ system, rng }) {
    const m = /Order (#\d+) is ([a-z ]+?) with (\S+), expected by (\S+?)\./.exec(system);
    const details = m ? { order: m[1]!, status: m[2]!, carrier: m[3]!, eta: m[4]! } : { order: 'you placed', status: 'on its way', carrier: 'our carrier', eta: 'the promised date' };
    return { text: answerText(rng, details), causes: [], finish: 'stop' };
  },
  grade(_input, output) {
    return output.trim() && wordCount(output) <= 60 && !/as an ai/i.test(output) && /order/i.test(output) ? [] : [GLITCH];
  },
  correct: () => 'Your order is on its way and should arrive by the date given.',
  rationale: (_cause, ctx) => glitchRationale(ctx.rng, ctx.output),
  comment: (_cause, ctx) => glitchComment(ctx.rng, ctx.output),
};
