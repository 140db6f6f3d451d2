/** The true failure patterns of the generated corpus, each written many different ways. */

export type Rng = () => number;
export type Diagnosis = 'behavioral' | 'knowledge';

export interface PatternSpec {
  label: string;
  diagnosis: Diagnosis;
  component: string;
  kind: string;
  ruleId: string;
  /** Relative frequency among pattern items. */
  weight: number;
  make(rng: Rng): { message: string; evidence: Record<string, unknown>; text: string };
}

export const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T;
export const int = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));

/** Fills `{slot}` placeholders from the slot lists, each pick independent. */
export function fill(rng: Rng, template: string, slots: Record<string, readonly string[]>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => pick(rng, slots[name] ?? [name]));
}

const judgeMessage = (rng: Rng, criteria: string): string => `judge failed the call (score ${(rng() * 0.5).toFixed(2)}; ${criteria})`;

const labelFormat: PatternSpec = {
  label: 'label-format', diagnosis: 'behavioral', component: 'ticket-router', kind: 'format', ruleId: 'format:label', weight: 1,
  make(rng) {
    const got = pick(rng, ['BILLING_ISSUE', 'TECH', 'Billing Problem', 'Account-Access', 'tech_support', 'BILLING', 'AccountIssue', 'Technical Support']);
    const text = fill(rng, pick(rng, [
      'The {output} "{got}" is not one of the {allowed} labels; it should be a {lower} category {name}.',
      '{Model} {returned} "{got}" instead of a {lower} {allowed} label.',
      'Expected a single {allowed} category label but the {output} was "{got}", {wrong} casing and wording.',
      '{Label} "{got}" does not match the {allowed} set billing, technical, account.',
      'Category {name} "{got}" uses {wrong} format; the {allowed} labels are {lower} words.',
    ]), {
      output: ['output', 'response', 'answer', 'reply'], allowed: ['allowed', 'permitted', 'valid', 'expected'], lower: ['lowercase', 'plain lowercase', 'exact'],
      name: ['name', 'label', 'value'], Model: ['The model', 'It', 'The classifier'], returned: ['returned', 'produced', 'emitted', 'gave'],
      wrong: ['wrong', 'invalid', 'incorrect'], Label: ['Label', 'Category label', 'Predicted label'], got: [got],
    });
    return { message: `expected one of [billing, technical, account], got "${got}"`, evidence: { expected: ['billing', 'technical', 'account'], got }, text };
  },
};

const missingField: PatternSpec = {
  label: 'json-missing-field', diagnosis: 'behavioral', component: 'order-extractor', kind: 'schema', ruleId: 'schema', weight: 1,
  make(rng) {
    const field = pick(rng, ['sku', 'quantity', 'unit_price', 'currency']);
    const i = int(rng, 0, 6);
    const text = fill(rng, pick(rng, [
      'The JSON {object} is missing the required "{field}" {prop} in line item {i}.',
      '{Item} {i} of the extracted order lacks the mandatory {field} {prop}.',
      'Structured output omitted {field}: the schema requires it on every order {item}.',
      'Required {prop} {field} absent from the JSON {object} for order {item} {i}.',
      'The extraction {returned} JSON without the {field} {prop} that the schema marks required.',
    ]), {
      object: ['object', 'output', 'payload', 'document'], prop: ['field', 'property', 'key'], Item: ['Item', 'Line item', 'Entry'],
      item: ['item', 'line', 'entry'], returned: ['returned', 'produced', 'emitted'], field: [field], i: [String(i)],
    });
    return { message: `missing required property at $.items[${i}].${field}`, evidence: { path: `$.items[${i}]`, missing: field }, text };
  },
};

const tooLong: PatternSpec = {
  label: 'overly-long', diagnosis: 'behavioral', component: 'support-bot', kind: 'judge', ruleId: 'judge:support-quality', weight: 1,
  make(rng) {
    const n = int(rng, 4, 12);
    const text = fill(rng, pick(rng, [
      'The {answer} is far too {long}: {n} paragraphs when the customer {asked} a short {answer}.',
      '{Way} too {long} and {verbose}; a {brief} {answer} of two sentences would have done.',
      'Response runs to {n} paragraphs of {verbose} {detail} instead of a {brief} reply.',
      'Overly {long} {answer} that buries the point under {verbose} {detail}; it should be {brief}.',
      'The customer {asked} something simple and got {n} {long} paragraphs of {detail}.',
    ]), {
      answer: ['answer', 'reply', 'response'], long: ['long', 'lengthy', 'wordy'], asked: ['asked for', 'wanted', 'requested'],
      Way: ['Way', 'Much', 'Far'], verbose: ['verbose', 'rambling', 'padded'], brief: ['brief', 'short', 'concise'],
      detail: ['detail', 'background', 'explanation'], n: [String(n)],
    });
    return { message: judgeMessage(rng, 'concise'), evidence: { score: 0.2, failed_criteria: ['concise'], rationale: text }, text };
  },
};

const apologetic: PatternSpec = {
  label: 'apologising-tone', diagnosis: 'behavioral', component: 'support-bot', kind: 'judge', ruleId: 'judge:support-quality', weight: 1,
  make(rng) {
    const text = fill(rng, pick(rng, [
      'The reply {apologises} {often} ("we are so sorry") even though nothing went wrong.',
      '{Excessive} {apology}: the bot says sorry {n} times in one message.',
      'Tone is {servile}, opening and closing with {apology} for no reason.',
      'It keeps {apologising} {often}; the customer did not complain, so the {apology} reads {servile}.',
      '{Excessive} {apologising} and {servile} tone instead of a confident answer.',
    ]), {
      apologises: ['apologises', 'apologizes', 'says sorry'], often: ['repeatedly', 'again and again', 'over and over'],
      Excessive: ['Excessive', 'Needless', 'Constant'], apology: ['apologies', 'apologising', 'sorry'], servile: ['servile', 'grovelling', 'overly apologetic'],
      apologising: ['apologising', 'apologizing', 'saying sorry'], n: ['three', 'four', 'five', 'several'],
    });
    return { message: judgeMessage(rng, 'tone'), evidence: { score: 0.3, failed_criteria: ['tone'], rationale: text }, text };
  },
};

const products = ['Zentrix Aero', 'Zentrix Nimbus', 'Zentrix Volt', 'Zentrix Aero Max', 'Zentrix Nimbus Lite'];
const specs = ['battery life', 'charging wattage', 'warranty period', 'water resistance rating', 'screen size', 'storage capacity'];
const wrongFacts: PatternSpec = {
  label: 'wrong-product-facts', diagnosis: 'knowledge', component: 'support-bot', kind: 'judge', ruleId: 'judge:support-quality', weight: 1,
  make(rng) {
    const text = fill(rng, pick(rng, [
      'States the {product} has a {spec} of {a} but the {product} {spec} is actually {b}.',
      '{Wrong} {spec} for the {product}: claims {a}, the spec sheet says {b}.',
      'The bot invented a {spec} of {a} for the {product}; {correct} figure is {b}.',
      '{Wrong} product fact: {product} {spec} given as {a} instead of {b}.',
      'Got the {product} {spec} {wrong}, quoting {a} where the catalogue lists {b}.',
    ]), {
      product: [pick(rng, products)], spec: [pick(rng, specs)], a: ['12 hours', '45 W', '2 years', 'IP54', '6.1 inches', '128 GB'],
      b: ['20 hours', '65 W', '3 years', 'IP68', '6.7 inches', '256 GB'], Wrong: ['Wrong', 'Incorrect', 'Inaccurate'],
      correct: ['the correct', 'the real', 'the actual'], wrong: ['wrong', 'incorrect', 'inaccurate'],
    });
    return { message: judgeMessage(rng, 'accuracy'), evidence: { score: 0.1, failed_criteria: ['accuracy'], rationale: text }, text };
  },
};

const jargonTerms = ['gold lane', 'tier-zero escalation', 'RMA-lite', 'blue ticket', 'fastpath refund', 'shadow queue'];
const jargon: PatternSpec = {
  label: 'unknown-jargon', diagnosis: 'knowledge', component: 'support-bot', kind: 'feedback', ruleId: 'feedback:thumbs-down', weight: 1,
  make(rng) {
    const term = pick(rng, jargonTerms);
    const text = fill(rng, pick(rng, [
      'The bot has no idea what "{term}" means, it is our {internal} {word}.',
      'I asked about the {term} and it {guessed}; that is {internal} {word} every agent knows.',
      "Doesn't understand {internal} {word} like {term}.",
      'Asked for a {term} and the assistant {guessed} what a {term} is.',
      '{term}? It {guessed} instead of knowing the {internal} {word}.',
    ]), {
      term: [term], internal: ['internal', 'in-house', 'company'], word: ['jargon', 'terminology', 'term', 'lingo'],
      guessed: ['guessed wildly', 'made something up', 'confused it with something else', 'asked what I meant'],
    });
    return { message: 'negative user feedback', evidence: { rating: -1, comment: text }, text };
  },
};

const arithmetic: PatternSpec = {
  label: 'multi-step-arithmetic', diagnosis: 'knowledge', component: 'invoice-calc', kind: 'judge', ruleId: 'judge:invoice-correct', weight: 1,
  make(rng) {
    const a = int(rng, 100, 900);
    const b = int(rng, 10, 90);
    const text = fill(rng, pick(rng, [
      'The {total} is wrong: {a} plus {b} {tax} then minus the {discount} gives a different {amount} than {got}.',
      '{Miscalculated} the {total} after applying {tax} and {discount}; the steps do not add up.',
      'Arithmetic {error} in the multi-step {calculation}: subtotal {a}, {tax} {b}, yet the {total} is {got}.',
      '{Miscalculated} {amount}: the {discount} was applied before the {tax} and the sum is off.',
      'Wrong {total} on the invoice, the {calculation} of {tax} and {discount} has an arithmetic {error}.',
    ]), {
      total: ['total', 'grand total', 'final amount'], tax: ['tax', 'VAT', 'sales tax'], discount: ['discount', 'rebate', 'promo discount'],
      amount: ['amount', 'figure', 'sum'], Miscalculated: ['Miscalculated', 'Computed wrongly', 'Got wrong'], error: ['error', 'mistake', 'slip'],
      calculation: ['calculation', 'computation', 'working'], a: [String(a)], b: [String(b)], got: [String(a + b + int(rng, 3, 40))],
    });
    return { message: judgeMessage(rng, 'correct total'), evidence: { score: 0, failed_criteria: ['correct total'], rationale: text }, text };
  },
};

export const truePatterns: readonly PatternSpec[] = [labelFormat, missingField, tooLong, apologetic, wrongFacts, jargon, arithmetic];
