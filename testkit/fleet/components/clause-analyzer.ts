/**
 * A legal-clause analyzer with a knowledge problem: the model answers in the right form (its prompt is
 * clear) but confuses indemnification with limitation of liability. No prompt fixes it; only a model
 * that knows the difference (the tuned model id) answers right.
 */
import { glitchComment, glitchRationale, looksGlitched } from '../glitch.ts';
import { int, isoDate, pick, say, type Rng } from '../random.ts';
import { GLITCH, type ComponentSpec } from '../types.ts';

const NAME = 'clause-analyzer';
const CONFUSION = `${NAME}/indemnity-vs-liability`;
const types = ['indemnification', 'limitation_of_liability', 'termination', 'confidentiality', 'governing_law'] as const;
type ClauseType = (typeof types)[number];

const clients = ['Harbor Bank', 'Redwood Health', 'Atlas Mining', 'Beacon Retail', 'Summit Energy', 'Orion Telecom'];
const parties = [['Supplier', 'Customer'], ['Licensor', 'Licensee'], ['Contractor', 'Client'], ['Vendor', 'Purchaser']] as const;

const clauses: Record<ClauseType, string[]> = {
  indemnification: [
    '{A} shall indemnify, defend and hold harmless {B} from and against any losses, damages and costs arising out of third-party claims related to the {subject}.',
    '{A} agrees to compensate {B} for all liabilities and reasonable legal fees resulting from any claim that the {subject} infringes intellectual property rights.',
    'Each party shall hold the other harmless against claims brought by third parties caused by its breach of this {subject} agreement.',
    '{A} will reimburse {B} for any fines or penalties imposed on {B} as a result of {A}\'s handling of the {subject}.',
  ],
  limitation_of_liability: [
    'In no event shall either party be liable for indirect, incidental or consequential damages arising from the {subject}.',
    "{A}'s aggregate liability under this agreement shall not exceed the fees paid by {B} for the {subject} in the twelve months preceding the claim.",
    'Neither party shall be liable for loss of profits, revenue or data, however caused, in connection with the {subject}.',
    "The total liability of {A} for the {subject} is capped at {cap}.",
  ],
  termination: [
    'Either party may terminate this agreement for convenience on {days} days\' written notice.',
    '{B} may end the {subject} agreement immediately if {A} commits a material breach that is not remedied within {days} days.',
  ],
  confidentiality: [
    'Each party shall keep confidential all non-public information received about the {subject} and use it only to perform this agreement.',
    '{B} shall not disclose the terms of the {subject} to any third party without {A}\'s prior written consent.',
  ],
  governing_law: [
    'This agreement is governed by the laws of {law}, and the courts of {law} have exclusive jurisdiction.',
    'Any dispute about the {subject} shall be settled under the laws of {law}.',
  ],
};

const weights: [ClauseType, number][] = [['indemnification', 0.3], ['limitation_of_liability', 0.3], ['termination', 0.14], ['confidentiality', 0.13], ['governing_law', 0.13]];

function pickType(rng: Rng): ClauseType {
  let r = rng();
  for (const [t, w] of weights) if ((r -= w) < 0) return t;
  return 'governing_law';
}

/** How often a model that was not tuned gets a clause of this type right. */
const baseAccuracy: Record<ClauseType, number> = { indemnification: 0.3, limitation_of_liability: 0.6, termination: 1, confidentiality: 1, governing_law: 1 };
const confusedWith: Partial<Record<ClauseType, ClauseType>> = { indemnification: 'limitation_of_liability', limitation_of_liability: 'indemnification' };

export const clauseAnalyzer: ComponentSpec = {
  name: NAME,
  description: 'labels contract clauses for the legal review queue',
  weight: 0.1,
  prompt: (s) => `You review contracts for ${s['client']} (matter ${s['matter']}, ${s['date']}). Identify the type of the clause below. Reply with exactly one of these labels, in lowercase: indemnification, limitation_of_liability, termination, confidentiality, governing_law. Write only the label.`,
  slots: (rng) => ({ client: pick(rng, clients), matter: `M-${int(rng, 1000, 9999)}`, date: isoDate(rng) }),
  vagueInstruction: 'Identify the type of the clause below.',
  identity: /You review contracts for/,
  contract: {
    features: [
      { id: 'labels', pattern: /^(?=[\s\S]*\bindemnification\b)(?=[\s\S]*\blimitation_of_liability\b)(?=[\s\S]*\bgoverning_law\b)/, weight: 2 },
      { id: 'bare', pattern: /\b(only the label|exactly one|nothing else)\b/i, weight: 1 },
    ],
    vague: 1,
    precise: 1,
    statement: 'Reply with exactly one of these labels, in lowercase: indemnification, limitation_of_liability, termination, confidentiality, governing_law. Write only the label.',
    partial: ['Answer with the clause type only.'],
  },
  knowledgeHint: 'Indemnification means one party compensates the other for losses or third-party claims; limitation of liability caps or excludes damages.',
  baseKnows: (input) => baseAccuracy[input.truth['type'] as ClauseType],
  problems: [{ id: CONFUSION, diagnosis: 'knowledge', promptFixable: false, summary: 'confuses indemnification with limitation of liability', ruleIds: [] }],
  rules: [{ id: 'clause-type', type: 'labels', labels: [...types] }],
  rubric: 'The label must name the clause type correctly. Indemnification: one party must compensate or defend the other against losses or third-party claims. Limitation of liability: a cap on or an exclusion of damages. The answer is exactly one of the five labels.',
  input(rng) {
    const type = pickType(rng);
    const [a, b] = pick(rng, parties);
    const text = say(rng, clauses[type], { A: [a], B: [b], subject: ['services', 'software', 'deliverables', 'data processing', 'equipment'], cap: ['EUR 1,000,000', 'the fees of one year', 'USD 250,000'], days: ['30', '60', '90'], law: ['England and Wales', 'the State of New York', 'Germany', 'Delaware', 'Singapore'] });
    return { component: NAME, text, truth: { type } };
  },
  answer({ input, complies, knows, rng }) {
    const type = input.truth['type'] as ClauseType;
    const said = knows ? type : (confusedWith[type] ?? type);
    const causes = said === type ? [] : [CONFUSION];
    // Its prompt states the labels exactly (the contract is always followed): the only problem is knowledge.
    if (!complies || (said === type && rng() < 0.01)) return { text: pick(rng, types.filter((t) => t !== type && t !== confusedWith[type])), causes: [GLITCH], finish: 'stop' };
    return { text: said, causes, finish: 'stop' };
  },
  grade(input, output) {
    const got = output.trim();
    const type = input.truth['type'] as ClauseType;
    if (got === type) return [];
    if (!(types as readonly string[]).includes(got)) return [GLITCH];
    return confusedWith[type] === got ? [CONFUSION] : [GLITCH];
  },
  correct: (input) => input.truth['type'] as string,
  rationale(cause, ctx) {
    if (cause === GLITCH) return looksGlitched(ctx.output) ? glitchRationale(ctx.rng, ctx.output) : { rationale: `Wrong label: expected ${String(ctx.input.truth['type'])}.`, criteria: ['correct type'] };
    const truth = ctx.input.truth['type'] === 'indemnification';
    const is = truth ? 'indemnification' : 'limitation of liability';
    const not = truth ? 'limitation of liability' : 'indemnification';
    const why = truth
      ? pick(ctx.rng, ['one party must compensate the other for losses', 'it obliges a party to hold the other harmless against third-party claims', 'it shifts the cost of third-party claims to one party'])
      : pick(ctx.rng, ['it caps the damages a party can recover', 'it excludes indirect and consequential damages', 'it limits the total amount of liability']);
    return {
      rationale: say(ctx.rng, [
        'The clause is {is}: {why}. The {answer} calls it {not}.',
        '{Misclassified}: {why}, which makes it {is}, not {not}.',
        'The model {confused} {is} with {not}; {why}.',
        'Wrong clause type. Since {why}, the correct label is {is}.',
        'This is a {term} error: {why}, so it is {is} rather than {not}.',
      ], { is: [is], not: [not], why: [why], answer: ['answer', 'label', 'output'], Misclassified: ['Misclassified', 'Wrong category', 'Incorrect type'], confused: ['confused', 'mixed up', 'conflated'], term: ['terminology', 'legal terminology', 'domain'] }),
      criteria: [pick(ctx.rng, ['correct type', 'accuracy', 'legal correctness', 'clause type'])],
    };
  },
  comment(cause, ctx) {
    if (cause === GLITCH) return looksGlitched(ctx.output) ? glitchComment(ctx.rng, ctx.output) : 'wrong clause type';
    const truth = String(ctx.input.truth['type']).replace(/_/g, ' ');
    return say(ctx.rng, [
      'this is {truth}, not {got}',
      'wrong: an indemnity is not a liability cap',
      '{again} mixing up indemnities and liability limits',
      'a lawyer would call this {truth}',
      'incorrect clause type, it should be {truth}',
    ], { truth: [truth], got: [ctx.output.trim().replace(/_/g, ' ')], again: ['again', 'still', 'keeps'] });
  },
};

