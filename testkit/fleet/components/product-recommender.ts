/**
 * A product recommender with two problems: a JSON-format one (prose or a markdown list instead of
 * {"product_id", "reason"}; prompt-fixable) and a knowledge one (it recommends products that do not
 * exist or do not fit, because it does not know the catalogue; only the tuned model id knows it).
 */
import { glitchComment, glitchRationale, looksGlitched } from '../glitch.ts';
import { int, isoDate, personName, pick, say, weighted, type Rng } from '../random.ts';
import { GLITCH, type ComponentSpec } from '../types.ts';

const NAME = 'product-recommender';
const FORMAT = `${NAME}/json-format`;
const CATALOGUE = `${NAME}/catalogue-facts`;

const stores = ['Trailhead Outfitters', 'Summit Gear', 'Basecamp Co', 'Ridge & River'];

/** The hidden fact table: what the catalogue holds. Only a tuned model knows it. */
export const catalogue = [
  { id: 'P-1001', name: 'Granite GTX hiking boots', need: 'waterproof hiking boots' },
  { id: 'P-1002', name: 'Featherline 1 tent', need: 'an ultralight one-person tent' },
  { id: 'P-1003', name: 'Tempo Trail runners', need: 'trail running shoes' },
  { id: 'P-1004', name: 'Polar Cocoon -20 bag', need: 'a winter sleeping bag' },
  { id: 'P-1005', name: 'Stormshell jacket', need: 'a rain jacket' },
  { id: 'P-1006', name: 'Beacon 400 headlamp', need: 'a bright headlamp' },
  { id: 'P-1007', name: 'Ridge 45 backpack', need: 'a 45-litre backpack' },
  { id: 'P-1008', name: 'PureFlow filter', need: 'a water filter' },
  { id: 'P-1009', name: 'Summit carbon poles', need: 'light trekking poles' },
  { id: 'P-1010', name: 'Ember mini stove', need: 'a compact camping stove' },
  { id: 'P-1011', name: 'Cascade fleece', need: 'a warm fleece' },
  { id: 'P-1012', name: 'Glacier sunglasses', need: 'glacier sunglasses' },
] as const;

const uses = ['a week in the Alps', 'weekend trips in Scotland', 'a thru-hike next summer', 'winter camping', 'my first overnight hike', 'daily commuting in the rain'];

interface Truth {
  id: string;
  name: string;
  need: string;
}

/** What an untuned model recommends when it does not know: an invented id, or a real product that does not fit. */
function wrongPick(rng: Rng, t: Truth): { id: string; name: string } {
  if (rng() < 0.5) return { id: `P-${int(rng, 2000, 2999)}`, name: `${pick(rng, ['Alpine', 'Nordic', 'Vertex', 'Hydra'])} ${pick(rng, ['Pro', 'Max', 'Elite', 'X'])} ${t.need.replace(/^an? /, '')}` };
  const other = pick(rng, catalogue.filter((c) => c.id !== t.id));
  return { id: other.id, name: other.name };
}

function reason(rng: Rng, name: string, need: string): string {
  return say(rng, ['{name} is {our} choice for {need}.', 'It is {our} {best} option if you need {need}.', '{name} fits {need} and {use}.'], { name: [name], need: [need], our: ['our', 'the store\'s'], best: ['best', 'top', 'most popular'], use: ['your trip', 'the conditions you describe'] });
}

function render(rng: Rng, complies: boolean, p: { id: string; name: string }, need: string): string {
  const why = reason(rng, p.name, need);
  if (complies) return JSON.stringify({ product_id: p.id, reason: why });
  const style = weighted(rng, [['prose', 0.45], ['list', 0.3], ['name-key', 0.25]] as const);
  if (style === 'prose') return `I recommend the ${p.name} (${p.id}). ${why}`;
  if (style === 'list') return `**Recommendation**\n- Product: ${p.name}\n- ID: ${p.id}\n- Why: ${why}`;
  return JSON.stringify({ product: p.name, id: p.id, why });
}

function parsed(output: string): { product_id: string; reason: string } | null {
  try {
    const v = JSON.parse(output.trim()) as Record<string, unknown>;
    return v && typeof v['product_id'] === 'string' && /^P-\d{4}$/.test(v['product_id']) && typeof v['reason'] === 'string' && Object.keys(v).length === 2 ? { product_id: v['product_id'], reason: v['reason'] } : null;
  } catch {
    return null;
  }
}

const mentionedId = (output: string): string | null => /P-\d{4}/.exec(output)?.[0] ?? null;

export const productRecommender: ComponentSpec = {
  name: NAME,
  description: 'recommends one catalogue product for a shopper request',
  weight: 0.1,
  prompt: (s) => `You are the shopping assistant of ${s['store']}. The shopper is ${s['name']}; today is ${s['date']}. Recommend one product from our catalogue for the request below and explain why.`,
  slots: (rng) => ({ store: pick(rng, stores), name: personName(rng), date: isoDate(rng) }),
  vagueInstruction: 'Recommend one product from our catalogue for the request below and explain why.',
  identity: /shopping assistant of/,
  contract: {
    features: [
      { id: 'json', pattern: /\bJSON\b/, weight: 1 },
      { id: 'keys', pattern: /^(?=[\s\S]*\bproduct_id\b)(?=[\s\S]*\breason\b)/, weight: 2 },
      { id: 'id-format', pattern: /P-\d{4}|P-NNNN|catalogue id/i, weight: 0.5 },
      { id: 'bare', pattern: /\b(only the JSON|nothing else|no (markdown|other text|prose))\b/i, weight: 1 },
    ],
    vague: 0.45,
    precise: 0.95,
    statement: 'Reply with only a JSON object {"product_id": "P-NNNN", "reason": "one sentence"}; no markdown, nothing else.',
    partial: ['Answer in JSON.', 'Give the product_id and a short reason.'],
  },
  knowledgeHint: 'Recommend only products that exist in the catalogue and fit the request.',
  baseKnows: () => 0.6,
  problems: [
    { id: FORMAT, diagnosis: 'behavioral', promptFixable: true, summary: 'prose or a markdown list instead of {"product_id", "reason"}', ruleIds: ['recommendation-json'] },
    { id: CATALOGUE, diagnosis: 'knowledge', promptFixable: false, summary: 'recommends products that do not exist or do not fit the request', ruleIds: [] },
  ],
  rules: [{ id: 'recommendation-json', type: 'json_schema', schema: { type: 'object', required: ['product_id', 'reason'], properties: { product_id: { type: 'string', pattern: '^P-\\d{4}$' }, reason: { type: 'string' } } } }],
  rubric: 'Recommend one product that exists in the store catalogue and fits the request, as a JSON object with product_id and reason only.',
  input(rng) {
    const p = pick(rng, catalogue);
    const text = say(rng, ['I need {need} for {use}.', 'Looking for {need}, {use}. What do you suggest?', 'What do you have in {need}? It is for {use}.'], { need: [p.need], use: uses });
    return { component: NAME, text, truth: { id: p.id, name: p.name, need: p.need } };
  },
  answer({ input, complies, knows, rng }) {
    const t = input.truth as unknown as Truth;
    const p = knows ? { id: t.id, name: t.name } : wrongPick(rng, t);
    const causes = [...(knows ? [] : [CATALOGUE]), ...(complies ? [] : [FORMAT])];
    return { text: render(rng, complies, p, t.need), causes, finish: 'stop' };
  },
  grade(input, output) {
    const t = input.truth as unknown as Truth;
    const v = parsed(output);
    const id = v?.product_id ?? mentionedId(output);
    const causes: string[] = [];
    if (id !== null && id !== t.id) causes.push(CATALOGUE);
    if (!v) causes.push(FORMAT);
    if (id === null && v) causes.push(GLITCH);
    return causes;
  },
  correct: (input) => JSON.stringify({ product_id: String(input.truth['id']), reason: `${String(input.truth['name'])} is our choice for ${String(input.truth['need'])}.` }),
  rationale(cause, ctx) {
    if (cause === GLITCH) return looksGlitched(ctx.output) ? glitchRationale(ctx.rng, ctx.output) : { rationale: 'No product is named.', criteria: ['completeness'] };
    const t = ctx.input.truth as unknown as Truth;
    if (cause === CATALOGUE) {
      const id = mentionedId(ctx.output) ?? '?';
      const invented = !catalogue.some((c) => c.id === id);
      return {
        rationale: invented
          ? say(ctx.rng, ['{id} does not exist in the catalogue; the model {invented} a product.', 'The recommended product {id} is {made} — there is no such item; {right} would fit.', '{Hallucinated} product id {id}: not in the store catalogue.'], { id: [id], invented: ['invented', 'made up', 'hallucinated'], made: ['made up', 'fictional', 'invented'], right: [`${t.id} (${t.name})`], Hallucinated: ['Hallucinated', 'Invented', 'Non-existent'] })
          : say(ctx.rng, ['{id} is a real product but not {need}; the right one is {right}.', 'Wrong product: the shopper asked for {need} and got {id}.', 'The recommendation {id} does not fit the request for {need}; the catalogue has {right}.'], { id: [id], need: [t.need], right: [`${t.id} (${t.name})`] }),
        criteria: [pick(ctx.rng, ['accuracy', 'catalogue facts', 'fits the request', 'correct product'])],
      };
    }
    return {
      rationale: say(ctx.rng, [
        'The answer is not the JSON object {required}: {what}.',
        'Format {broken}: {what} instead of {"product_id", "reason"}.',
        '{Expected} JSON with product_id and reason only; {what}.',
      ], { required: ['required', 'asked for', 'specified'], broken: ['broken', 'wrong', 'not followed'], Expected: ['Expected', 'The rubric asks for', 'Required'], what: [ctx.output.trim().startsWith('{') ? 'the keys are product, id and why' : ctx.output.includes('**') ? 'a markdown list' : 'a sentence of prose'] }),
      criteria: [pick(ctx.rng, ['format', 'json format', 'structure'])],
    };
  },
  comment(cause, ctx) {
    if (cause === GLITCH) return looksGlitched(ctx.output) ? glitchComment(ctx.rng, ctx.output) : 'no product?';
    if (cause === CATALOGUE) return say(ctx.rng, ['this product does not exist on your site', 'you do not even sell {id}', 'I asked for {need}, this is something else', 'wrong product, not what I asked for', 'could not find {id} anywhere'], { id: [mentionedId(ctx.output) ?? 'this'], need: [String(ctx.input.truth['need'])] });
    return say(ctx.rng, ['the app could not show this recommendation', 'broken card in the app, raw text shown', 'recommendation widget shows garbage text'], {});
  },
};
