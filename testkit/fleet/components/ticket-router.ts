/**
 * A support-ticket classifier with a label-format problem: asked vaguely "what kind of issue it is", the
 * model answers `BILLING_ISSUE`, a sentence or `Billing` instead of one of billing | technical | account.
 * Prompt-fixable: a prompt that lists the labels and asks for the bare lowercase label fixes it.
 */
import { glitchComment, glitchRationale, looksGlitched } from '../glitch.ts';
import { int, isoDate, personName, pick, say, weighted, type Rng } from '../random.ts';
import { GLITCH, type ComponentSpec, type ParaphraseContext } from '../types.ts';

const NAME = 'ticket-router';
const FORMAT = `${NAME}/label-format`;
const labels = ['billing', 'technical', 'account'] as const;
type Label = (typeof labels)[number];

const companies = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Stark Cloud', 'Wayne Apps'];
const plans = ['Free', 'Pro', 'Team', 'Enterprise'];

const tickets: Record<Label, string[]> = {
  billing: [
    'I was charged twice for my {plan} subscription in {month}.',
    'My invoice {inv} shows {amount} but I expected {amount2}.',
    'Can I get a refund for the {plan} upgrade I bought by mistake?',
    'Your payment page declined my {card} card but the money left my account anyway.',
    'Please send me a VAT invoice for order {inv}.',
    'Why did my monthly price go up from {amount2} to {amount}?',
  ],
  technical: [
    'The app crashes every time I upload a {file} file.',
    'Sync has been stuck at {pct}% since this morning on my {device}.',
    'I get error {code} when I open the dashboard.',
    'The export to {file} produces an empty file.',
    'Notifications stopped working on my {device} after the last update.',
    'The page keeps loading forever when I click Save on {device}.',
  ],
  account: [
    "I can't log in: the password reset email never arrives.",
    'How do I change the email address on my login to {email}?',
    'Please add my colleague {name} as an admin on our workspace.',
    'My login was locked after too many attempts, can you unlock it?',
    'I want to close my profile and delete all my personal data.',
    'Two-factor codes are no longer sent to my phone, how do I sign in?',
  ],
};

function ticket(rng: Rng, label: Label): string {
  const fills: Record<string, readonly string[]> = {
    plan: plans, month: ['January', 'March', 'May', 'August', 'October'], inv: [`INV-${int(rng, 10000, 99999)}`],
    amount: [`$${int(rng, 20, 400)}.00`], amount2: [`$${int(rng, 10, 300)}.00`], card: ['Visa', 'Mastercard', 'Amex'],
    file: ['PDF', 'CSV', 'PNG', 'XLSX', 'DOCX'], pct: [String(int(rng, 10, 99))], device: ['iPhone', 'Android phone', 'Windows laptop', 'MacBook', 'iPad'],
    code: [`E${int(rng, 100, 999)}`], email: [`${pick(rng, ['jo', 'sam', 'kim', 'lee'])}${int(rng, 1, 99)}@example.com`], name: [personName(rng)],
  };
  return say(rng, tickets[label], fills);
}

const cap = (s: string): string => s[0]!.toUpperCase() + s.slice(1);

function misformatted(rng: Rng, label: Label): string {
  const style = weighted(rng, [['snake', 0.35], ['sentence', 0.35], ['capital', 0.3]] as const);
  if (style === 'snake') return `${label.toUpperCase()}_${pick(rng, ['ISSUE', 'PROBLEM', 'REQUEST', 'QUESTION'])}`;
  if (style === 'capital') return pick(rng, [cap(label), `${cap(label)} support`, `${cap(label)} issue`]);
  return say(rng, ['This is a {label} {issue}.', 'The ticket is about a {label} {issue}: the customer needs help with it.', 'Category: {Label}. The customer reports a {label} {issue}.', 'I would classify this as a {label} {issue}.'], {
    label: [label], Label: [cap(label)], issue: ['issue', 'problem', 'question', 'request'],
  });
}

export const ticketRouter: ComponentSpec = {
  name: NAME,
  description: 'routes support tickets to a queue: billing, technical or account',
  weight: 0.24,
  prompt: (s) => `You are the support assistant of ${s['company']}. The customer is ${s['name']} on the ${s['plan']} plan; today is ${s['date']}. Read the ticket and tell us what kind of issue it is.`,
  slots: (rng) => ({ company: pick(rng, companies), name: personName(rng), plan: pick(rng, plans), date: isoDate(rng) }),
  vagueInstruction: 'Read the ticket and tell us what kind of issue it is.',
  identity: /support assistant of/,
  contract: {
    features: [
      { id: 'labels', pattern: /^(?=[\s\S]*\bbilling\b)(?=[\s\S]*\btechnical\b)(?=[\s\S]*\baccount\b)/i, weight: 2 },
      { id: 'one', pattern: /\b(exactly one|only one|a single|one of)\b/i, weight: 1 },
      { id: 'lowercase', pattern: /\blower-?case\b/i, weight: 1 },
      { id: 'bare', pattern: /\b(no other (text|words)|nothing else|only the (label|category|word)|without (any )?(explanation|punctuation|other text))\b/i, weight: 1 },
    ],
    vague: 0.45,
    precise: 0.96,
    statement: 'Reply with exactly one of these labels, in lowercase: billing, technical, account. Write only the label, nothing else.',
    partial: ['Classify the ticket as billing, technical or account.', 'Answer with a single word.', 'Use lowercase and keep it short.'],
  },
  baseKnows: () => 1,
  problems: [{ id: FORMAT, diagnosis: 'behavioral', promptFixable: true, summary: 'answers BILLING_ISSUE, a sentence or Billing instead of one of billing | technical | account', ruleIds: ['label'] }],
  rules: [{ id: 'label', type: 'labels', labels: [...labels] }],
  rubric: 'The answer must be exactly one lowercase label, billing, technical or account, naming the right queue for the ticket, with no other text.',
  input(rng) {
    const label = pick(rng, labels);
    return { component: NAME, text: ticket(rng, label), truth: { label } };
  },
  answer({ input, complies, rng }) {
    const label = input.truth['label'] as Label;
    if (!complies) return { text: misformatted(rng, label), causes: [FORMAT], finish: 'stop' };
    if (rng() < 0.01) return { text: pick(rng, labels.filter((l) => l !== label)), causes: [GLITCH], finish: 'stop' };
    return { text: label, causes: [], finish: 'stop' };
  },
  grade(input, output) {
    const got = output.trim();
    if (!(labels as readonly string[]).includes(got)) return [FORMAT];
    return got === input.truth['label'] ? [] : [GLITCH];
  },
  correct: (input) => input.truth['label'] as string,
  rationale(cause, ctx) {
    if (cause === GLITCH) return looksGlitched(ctx.output) ? glitchRationale(ctx.rng, ctx.output) : wrongQueue(ctx);
    return {
      rationale: say(ctx.rng, [
        'The {answer} "{got}" is not one of the {allowed} labels (billing, technical, account).',
        '{Expected} a single lowercase label, but the model {replied} "{got}".',
        '{Should} be just the bare label; instead the {answer} is "{got}".',
        'Label {format} {wrong}: "{got}" where one of billing, technical or account {needed}.',
        'The queue is right in spirit but "{got}" does not match the {allowed} label set.',
        '"{got}" is {wrong} {format}: only billing, technical or account is {accepted}.',
      ], {
        answer: ['answer', 'output', 'response', 'reply'], allowed: ['allowed', 'permitted', 'valid'], Expected: ['Expected', 'The rubric asks for', 'Wanted'],
        replied: ['replied', 'answered', 'returned', 'wrote'], Should: ['Should', 'It should', 'The output should'], format: ['format', 'formatting', 'form'],
        wrong: ['wrong', 'invalid', 'incorrect'], needed: ['was needed', 'was expected', 'is required'], accepted: ['accepted', 'allowed', 'valid'], got: [ctx.output.trim().slice(0, 80)],
      }),
      criteria: [pick(ctx.rng, ['label format', 'format', 'allowed labels', 'exact label'])],
    };
  },
  comment(cause, ctx) {
    if (cause === GLITCH) return looksGlitched(ctx.output) ? glitchComment(ctx.rng, ctx.output) : `wrong queue, this is ${String(ctx.input.truth['label'])}`;
    return say(ctx.rng, [
      'just give me the {category}, not {this}',
      '"{got}" is not one of our {categories}',
      'the router only understands billing / technical / account',
      'should be {label} in lowercase, our queue {broke}',
      '{this} broke the routing again, we need the bare {category}',
    ], { category: ['category', 'label', 'queue name'], categories: ['categories', 'labels', 'queues'], this: ['this', 'a sentence', 'that'], label: [String(ctx.input.truth['label'])], broke: ['broke', 'rejected it', 'failed'], got: [ctx.output.trim().slice(0, 40)] });
  },
};

function wrongQueue(ctx: ParaphraseContext): { rationale: string; criteria: string[] } {
  return { rationale: `The ticket is a ${String(ctx.input.truth['label'])} matter, not ${ctx.output.trim()}.`, criteria: ['correct queue'] };
}

