/**
 * A legal-clause analyzer with a knowledge problem: the model answers in the right form (its prompt is
 * clear) but confuses indemnification with limitation of liability. No prompt fixes it; only a model
 * that knows the difference (the tuned model id) answers right.
 *
 * `clauseAnalyzerWithJurisdictions` adds a second knowledge problem (the demo's story): clauses written
 * in one jurisdiction's own legal terms (a German Freistellung, an English "second limb of Hadley v
 * Baxendale", a French résiliation de plein droit) that the untuned model misses, labelling them
 * governing_law because they name a country's law. Each problem is its own fact: a tuned model knows the
 * ones its training rows taught (testkit/fleet/tuning.ts).
 */
import { glitchComment, glitchRationale, looksGlitched } from '../glitch.ts';
import { int, isoDate, pick, say, type Rng } from '../random.ts';
import { GLITCH, type ComponentSpec, type FleetInput, type ParaphraseContext } from '../types.ts';

const NAME = 'clause-analyzer';
const CONFUSION = `${NAME}/indemnity-vs-liability`;
const JURISDICTION = `${NAME}/jurisdiction-terms`;
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

/** Clauses in one jurisdiction's own terms: what the term is, what it makes the clause, and the clause. */
interface LocalTerm {
  term: string;
  law: string;
  type: Exclude<ClauseType, 'governing_law'>;
  means: string;
  clauses: string[];
}

const localTerms: LocalTerm[] = [
  { term: 'Freistellung', law: 'German', type: 'indemnification', means: 'an obligation to hold the other party free of third-party claims', clauses: [
    '{A} grants {B} a Freistellung from all third-party claims arising from the {subject}, in accordance with § 257 BGB.',
    'Under German law {A} shall provide Freistellung to {B} with regard to claims of third parties concerning the {subject}.',
  ] },
  { term: 'Kardinalpflichten', law: 'German', type: 'limitation_of_liability', means: 'a cap on liability for slight negligence to breaches of essential duties and typical damage', clauses: [
    'For slight negligence {A} is liable only for breach of Kardinalpflichten, and then only for the damage typical of the {subject} contract (§ 309 BGB).',
    "{A}'s liability for leichte Fahrlässigkeit is restricted to Kardinalpflichten and to foreseeable damage typical for the {subject}.",
  ] },
  { term: 'Kündigung aus wichtigem Grund', law: 'German', type: 'termination', means: 'a right to end the contract for good cause', clauses: [
    'Each party retains the right of Kündigung aus wichtigem Grund under § 314 BGB with respect to the {subject}.',
  ] },
  { term: 'the second limb of Hadley v Baxendale', law: 'English', type: 'limitation_of_liability', means: 'an exclusion of consequential loss', clauses: [
    '{A} shall not be liable for any loss falling within the second limb of Hadley v Baxendale arising from the {subject}, as construed by the courts of England and Wales.',
    'Losses under the second limb of Hadley v Baxendale in connection with the {subject} are excluded, as the law of England and Wales allows.',
  ] },
  { term: 'résiliation de plein droit', law: 'French', type: 'termination', means: 'automatic termination of the contract', clauses: [
    'The {subject} agreement shall be subject to résiliation de plein droit under article 1225 of the French Civil Code if {A} fails to perform.',
  ] },
  { term: 'secret des affaires', law: 'French', type: 'confidentiality', means: 'protected confidential business information', clauses: [
    '{B} shall protect all information about the {subject} as secret des affaires within the meaning of article L151-1 of the French Commercial Code.',
  ] },
  { term: 'General Obligations Law § 5-322.1', law: 'New York', type: 'indemnification', means: 'the New York statute on indemnity agreements, under which one party makes the other whole for claims', clauses: [
    'To the extent permitted by New York General Obligations Law § 5-322.1, {A} shall make {B} whole for third-party claims concerning the {subject}.',
  ] },
  { term: "Singapore's Unfair Contract Terms Act reasonableness test", law: 'Singapore', type: 'limitation_of_liability', means: 'the test an exclusion of liability must pass', clauses: [
    "Subject to the reasonableness test of Singapore's Unfair Contract Terms Act, {A} excludes liability for economic loss arising from the {subject}.",
  ] },
];

/** Share of the clauses written in a jurisdiction's own terms (with jurisdiction terms on), and how often an untuned model reads them right. */
const LOCAL_SHARE = 0.3;
const LOCAL_KNOWN = 0.15;

const weights: [ClauseType, number][] = [['indemnification', 0.3], ['limitation_of_liability', 0.3], ['termination', 0.14], ['confidentiality', 0.13], ['governing_law', 0.13]];

function pickType(rng: Rng): ClauseType {
  let r = rng();
  for (const [t, w] of weights) if ((r -= w) < 0) return t;
  return 'governing_law';
}

/** How often a model that was not tuned gets a clause of this type right. */
const baseAccuracy: Record<ClauseType, number> = { indemnification: 0.3, limitation_of_liability: 0.6, termination: 1, confidentiality: 1, governing_law: 1 };
const confusedWith: Partial<Record<ClauseType, ClauseType>> = { indemnification: 'limitation_of_liability', limitation_of_liability: 'indemnification' };

/** A clause in one jurisdiction's own terms, when the input is one. */
const localOf = (input: FleetInput): LocalTerm | undefined => localTerms.find((t) => t.term === input.truth['term']);

function clauseAnalyzerSpec(jurisdictionTerms: boolean): ComponentSpec {
  return {
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
    baseKnows: (input) => (localOf(input) ? LOCAL_KNOWN : baseAccuracy[input.truth['type'] as ClauseType]),
    factOf: (input) => (localOf(input) ? JURISDICTION : CONFUSION),
    problems: [
      { id: CONFUSION, diagnosis: 'knowledge', promptFixable: false, summary: 'confuses indemnification with limitation of liability', ruleIds: [] },
      ...(jurisdictionTerms ? [{ id: JURISDICTION, diagnosis: 'knowledge' as const, promptFixable: false, summary: "misses jurisdiction-specific terms: labels a clause written in one country's legal terms governing_law", ruleIds: [] }] : []),
    ],
    rules: [{ id: 'clause-type', type: 'labels', labels: [...types] }],
    rubric: 'The label must name the clause type correctly. Indemnification: one party must compensate or defend the other against losses or third-party claims. Limitation of liability: a cap on or an exclusion of damages. The answer is exactly one of the five labels.' +
      (jurisdictionTerms ? ' A clause written in one jurisdiction\'s own legal terms (a German Freistellung, the second limb of Hadley v Baxendale, a résiliation de plein droit) is labelled by what the term does, not governing_law.' : ''),
    input(rng) {
      const [a, b] = pick(rng, parties);
      // Drawn only with jurisdiction terms on, so that the fleet's own inputs stay those of its seeds.
      if (jurisdictionTerms && rng() < LOCAL_SHARE) {
        const local = pick(rng, localTerms);
        const text = say(rng, local.clauses, { A: [a], B: [b], subject: ['services', 'software', 'deliverables', 'data processing', 'equipment'] });
        return { component: NAME, text, truth: { type: local.type, term: local.term } };
      }
      const type = pickType(rng);
      const text = say(rng, clauses[type], { A: [a], B: [b], subject: ['services', 'software', 'deliverables', 'data processing', 'equipment'], cap: ['EUR 1,000,000', 'the fees of one year', 'USD 250,000'], days: ['30', '60', '90'], law: ['England and Wales', 'the State of New York', 'Germany', 'Delaware', 'Singapore'] });
      return { component: NAME, text, truth: { type } };
    },
    answer({ input, complies, knows, rng }) {
      const type = input.truth['type'] as ClauseType;
      const local = localOf(input);
      // Not knowing the term, the model sees a country's law named and answers governing_law.
      const mistaken = local ? 'governing_law' : confusedWith[type];
      const said = knows ? type : (mistaken ?? type);
      const causes = said === type ? [] : [local ? JURISDICTION : CONFUSION];
      // Its prompt states the labels exactly (the contract is always followed): the only problem is knowledge.
      if (!complies || (said === type && rng() < 0.01)) return { text: pick(rng, types.filter((t) => t !== type && t !== mistaken)), causes: [GLITCH], finish: 'stop' };
      return { text: said, causes, finish: 'stop' };
    },
    grade(input, output) {
      const got = output.trim();
      const type = input.truth['type'] as ClauseType;
      if (got === type) return [];
      if (!(types as readonly string[]).includes(got)) return [GLITCH];
      if (localOf(input)) return got === 'governing_law' ? [JURISDICTION] : [GLITCH];
      return confusedWith[type] === got ? [CONFUSION] : [GLITCH];
    },
    correct: (input) => input.truth['type'] as string,
    rationale(cause, ctx) {
      if (cause === GLITCH) return looksGlitched(ctx.output) ? glitchRationale(ctx.rng, ctx.output) : { rationale: `Wrong label: expected ${String(ctx.input.truth['type'])}.`, criteria: ['correct type'] };
      if (cause === JURISDICTION) return localRationale(ctx);
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
      if (cause === JURISDICTION) return localComment(ctx);
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
}

export const clauseAnalyzer: ComponentSpec = clauseAnalyzerSpec(false);
/** The same analyzer whose clauses are also written in jurisdictions' own legal terms, which it misses (the demo's story). */
export const clauseAnalyzerWithJurisdictions: ComponentSpec = clauseAnalyzerSpec(true);

function localRationale(ctx: ParaphraseContext): { rationale: string; criteria: string[] } {
  const local = localOf(ctx.input)!;
  const is = local.type.replace(/_/g, ' ');
  return {
    rationale: say(ctx.rng, [
      '"{term}" is {law} law\'s term for {means}: the clause is {is}, not a governing-law clause.',
      'The model {missed} the {law} term "{term}" ({means}) and labelled the clause governing_law; it is {is}.',
      'Naming {law} law does not make this a choice-of-law clause. "{term}" means {means}, so the label is {is}.',
      '{Wrong}: the clause uses the jurisdiction-specific term "{term}", which is {means}. Correct label: {is}.',
      'A {law} lawyer reads "{term}" as {means}. The {answer} governing_law {misses} that; the clause is {is}.',
    ], { term: [local.term], law: [local.law], means: [local.means], is: [is], missed: ['missed', 'did not recognise', 'overlooked'], Wrong: ['Wrong clause type', 'Misclassified', 'Incorrect label'], answer: ['answer', 'label', 'output'], misses: ['misses', 'ignores', 'overlooks'] }),
    criteria: [pick(ctx.rng, ['jurisdiction-specific terms', 'local legal terminology', 'correct type', 'legal correctness'])],
  };
}

function localComment(ctx: ParaphraseContext): string {
  const local = localOf(ctx.input)!;
  return say(ctx.rng, [
    '{term} is not a choice of law, it is {is}',
    'it keeps tagging {law} clauses as governing law',
    'wrong, "{term}" means {means}',
    'our {law} contracts are not all governing law clauses!',
    'should be {is}: {term} is a {law} term',
  ], { term: [local.term], law: [local.law], means: [local.means], is: [local.type.replace(/_/g, ' ')] });
}
