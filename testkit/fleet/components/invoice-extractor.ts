/**
 * An invoice extractor with a JSON-format problem: asked vaguely to "pull out the important details",
 * the model wraps the JSON in a markdown fence with a preamble, writes key-value prose, or writes the
 * total as a string and the date as it was printed. Prompt-fixable: a prompt that asks for one JSON
 * object with the keys and their formats fixes it.
 */
import { glitchComment, glitchRationale, looksGlitched } from '../glitch.ts';
import { int, isoDate, pick, say, weighted, type Rng } from '../random.ts';
import { GLITCH, type ComponentSpec } from '../types.ts';

const NAME = 'invoice-extractor';
const FORMAT = `${NAME}/json-format`;

const tenants = ['Northwind', 'Contoso', 'Fabrikam', 'Tailspin', 'Litware', 'Proseware', 'Adatum'];
const vendors = ['Blue Harbor Logistics', 'Kestrel Office Supply', 'Meridian Cloud GmbH', 'Orchid Catering', 'Granite IT Services', 'Sable Print Works', 'Lumen Energy', 'Pioneer Freight', 'Cobalt Legal LLP', 'Juniper Facilities'];
const currencies = [['EUR', '€'], ['USD', '$'], ['GBP', '£']] as const;
const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

interface Invoice {
  vendor: string;
  total: number;
  currency: string;
  date: string;
  printedDate: string;
  printedTotal: string;
}

function invoice(rng: Rng): Invoice {
  const [currency, symbol] = pick(rng, currencies);
  const total = Math.round((int(rng, 40, 9000) + int(rng, 0, 99) / 100) * 100) / 100;
  const date = isoDate(rng);
  const [y, m, d] = date.split('-');
  const printedDate = pick(rng, [`${Number(d)} ${months[Number(m) - 1]} ${y}`, `${d}/${m}/${y}`, `${months[Number(m) - 1]} ${Number(d)}, ${y}`]);
  const printedTotal = `${symbol}${total.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  return { vendor: pick(rng, vendors), total, currency, date, printedDate, printedTotal };
}

function invoiceText(rng: Rng, inv: Invoice): string {
  const no = `${pick(rng, ['INV', 'BILL', 'F'])}-${int(rng, 1000, 99999)}`;
  return say(rng, [
    'Invoice {no} from {vendor}\nIssued: {date}\nAmount due: {total}\nPayment terms: {terms}',
    'Hello, please find our invoice {no} dated {date}. Total payable: {total}. Kind regards, {vendor}',
    '{vendor} — INVOICE {no}\nDate of issue {date}\nServices rendered in {month}\nTOTAL {total}\n{terms}',
    'Dear customer, {vendor} bills you {total} for {month} (invoice {no}, {date}). {terms}.',
  ], { no: [no], vendor: [inv.vendor], date: [inv.printedDate], total: [inv.printedTotal], terms: ['net 30', 'due on receipt', 'net 14', 'payable within 30 days'], month: months });
}

const json = (inv: { vendor: string; total: unknown; currency: string; date: string }): string => JSON.stringify({ vendor: inv.vendor, total: inv.total, currency: inv.currency, date: inv.date });

function misformatted(rng: Rng, inv: Invoice): string {
  const style = weighted(rng, [['fence', 0.4], ['prose', 0.3], ['strings', 0.3]] as const);
  if (style === 'fence') return `${pick(rng, ['Here is the extracted data:', 'Sure! The invoice details are:', 'Extracted fields:'])}\n\`\`\`json\n${JSON.stringify({ vendor: inv.vendor, total: inv.total, currency: inv.currency, date: inv.date }, null, 2)}\n\`\`\``;
  if (style === 'prose') return `Vendor: ${inv.vendor}\nTotal: ${inv.printedTotal}\nDate: ${inv.printedDate}`;
  return json({ vendor: inv.vendor, total: inv.printedTotal, currency: inv.currency, date: inv.printedDate });
}

const schema = {
  type: 'object',
  required: ['vendor', 'total', 'currency', 'date'],
  additionalProperties: false,
  properties: { vendor: { type: 'string' }, total: { type: 'number' }, currency: { type: 'string', pattern: '^[A-Z]{3}$' }, date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } },
};

function parsed(output: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(output.trim()) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export const invoiceExtractor: ComponentSpec = {
  name: NAME,
  description: 'extracts vendor, total, currency and date from incoming invoices',
  weight: 0.22,
  prompt: (s) => `You process incoming invoices for the accounts payable team of ${s['tenant']} (batch of ${s['date']}). Pull out the important details from the invoice below so that our system can use them.`,
  slots: (rng) => ({ tenant: pick(rng, tenants), date: isoDate(rng) }),
  vagueInstruction: 'Pull out the important details from the invoice below so that our system can use them.',
  identity: /accounts payable team/,
  contract: {
    features: [
      { id: 'json', pattern: /\bJSON\b/, weight: 1 },
      { id: 'keys', pattern: /^(?=[\s\S]*\bvendor\b)(?=[\s\S]*\btotal\b)(?=[\s\S]*\bcurrency\b)(?=[\s\S]*\bdate\b)/i, weight: 1.5 },
      { id: 'number', pattern: /\btotal\b[^.]{0,60}\b(number|numeric)\b/i, weight: 1 },
      { id: 'iso-date', pattern: /YYYY-MM-DD|ISO[ -]?8601/i, weight: 1 },
      { id: 'bare', pattern: /\b(no (markdown|code fences?|other text|prose)|nothing else|only the JSON|JSON object only)\b/i, weight: 1 },
    ],
    vague: 0.35,
    precise: 0.95,
    statement: 'Return only a JSON object with vendor, total (a number), currency (3-letter code) and date (YYYY-MM-DD); no markdown.',
    partial: ['Answer in JSON.', 'Give the vendor, total, currency and date.', 'Write dates as YYYY-MM-DD.'],
  },
  baseKnows: () => 1,
  problems: [{ id: FORMAT, diagnosis: 'behavioral', promptFixable: true, summary: 'fenced JSON, key-value prose, or the total and date as printed instead of one JSON object of the schema', ruleIds: ['invoice-json'] }],
  rules: [{ id: 'invoice-json', type: 'json_schema', schema }],
  rubric: 'The output must be one JSON object with vendor, total (a number), currency (a three-letter code) and date (YYYY-MM-DD), taken correctly from the invoice, and nothing else.',
  input(rng) {
    const inv = invoice(rng);
    return { component: NAME, text: invoiceText(rng, inv), truth: { ...inv } };
  },
  answer({ input, complies, rng }) {
    const inv = input.truth as unknown as Invoice;
    if (!complies) return { text: misformatted(rng, inv), causes: [FORMAT], finish: 'stop' };
    return { text: json(inv), causes: [], finish: 'stop' };
  },
  grade(input, output) {
    const v = parsed(output);
    const t = input.truth as unknown as Invoice;
    if (!v || Object.keys(v).length !== 4 || typeof v['total'] !== 'number' || typeof v['vendor'] !== 'string' || !/^[A-Z]{3}$/.test(String(v['currency'])) || !/^\d{4}-\d{2}-\d{2}$/.test(String(v['date']))) return [FORMAT];
    return v['vendor'] === t.vendor && v['total'] === t.total && v['currency'] === t.currency && v['date'] === t.date ? [] : [GLITCH];
  },
  correct: (input) => json(input.truth as unknown as Invoice),
  rationale(cause, ctx) {
    if (cause === GLITCH) return looksGlitched(ctx.output) ? glitchRationale(ctx.rng, ctx.output) : { rationale: 'Some extracted values do not match the invoice.', criteria: ['accuracy'] };
    const out = ctx.output.trim();
    const what = out.startsWith('{') ? pick(ctx.rng, ['the total is a string with a currency sign', 'the date is not in YYYY-MM-DD form', 'the total and the date keep their printed form']) : out.includes('```') ? pick(ctx.rng, ['the JSON is wrapped in a markdown code fence', 'there is a sentence before a fenced block', 'it adds a preamble and a code fence']) : pick(ctx.rng, ['it is key-value prose, not JSON', 'the fields are written as plain text lines', 'no JSON object at all']);
    return {
      rationale: say(ctx.rng, [
        'The {output} is not a {clean} JSON object: {what}.',
        '{Expected} a single JSON object with vendor, total, currency and date; {what}.',
        'Structured output {broken}: {what}.',
        'Values look right, but {what}, so the {output} does not follow the JSON contract.',
        'Not machine-readable as {required}: {what}.',
      ], { output: ['output', 'answer', 'response'], clean: ['clean', 'bare', 'valid'], Expected: ['Expected', 'The rubric asks for', 'Required'], broken: ['is malformed', 'is broken', 'does not conform'], required: ['required', 'specified', 'asked'], what: [what] }),
      criteria: [pick(ctx.rng, ['json format', 'format', 'schema', 'structured output'])],
    };
  },
  comment(cause, ctx) {
    if (cause === GLITCH) return looksGlitched(ctx.output) ? glitchComment(ctx.rng, ctx.output) : 'wrong numbers';
    return say(ctx.rng, [
      'our importer {failed} on this, we need plain JSON',
      '{please} return just the JSON, no {extra}',
      'the total must be a number and the date ISO, {again}',
      'parser {failed}: {extra} around the data',
      'not valid JSON for our system',
    ], { failed: ['failed', 'choked', 'crashed'], please: ['please', 'pls', 'kindly'], extra: ['markdown', 'text', 'fences', 'commentary'], again: ['again', 'as always', 'every time'] });
  },
};

