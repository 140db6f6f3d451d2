/**
 * A conversation summarizer with a length problem: asked vaguely to "summarize the conversation for the
 * ticket history", the model retells it line by line (80–140 words) where the history holds 60 at most.
 * Prompt-fixable: a prompt that states the word limit fixes it.
 */
import { glitchComment, glitchRationale, looksGlitched } from '../glitch.ts';
import { int, isoDate, personName, pick, say, wordCount, type Rng } from '../random.ts';
import { GLITCH, type ComponentSpec } from '../types.ts';

const NAME = 'ticket-summarizer';
const LENGTH = `${NAME}/too-long`;
const MAX_WORDS = 60;

const teams = ['EMEA', 'Americas', 'APAC', 'Enterprise', 'Self-serve'];
const products = ['the mobile app', 'the billing portal', 'the desktop client', 'the API', 'the reporting module', 'the SSO integration'];
const issues = ['could not sign in after a password change', 'saw duplicate charges on the last invoice', 'had exports failing with a timeout', 'lost data after a sync conflict', 'received no notification emails', 'got a permissions error when inviting colleagues'];
const steps = ['clearing the cache', 'reinstalling the app', 'resetting the password', 'trying another browser', 'checking the spam folder', 'rotating the API key'];
const outcomes = ['the issue is resolved', 'an engineer is investigating', 'a refund was issued', 'a fix ships in the next release', 'the customer will confirm tomorrow'];

interface Facts {
  customer: string;
  product: string;
  issue: string;
  tried: string[];
  outcome: string;
}

function conversation(rng: Rng, f: Facts): string {
  const lines = [
    `Customer (${f.customer}): Hi, I am writing about ${f.product}. I ${f.issue}.`,
    `Agent: Sorry to hear that. Could you tell me when it started?`,
    `Customer: It started ${pick(rng, ['yesterday', 'on Monday', 'two days ago', 'after the update'])}. I already tried ${f.tried[0]}.`,
    `Agent: Thanks. Please also try ${f.tried[1]} and let me know.`,
    `Customer: Done, ${pick(rng, ['still the same', 'no change', 'it did not help'])}.`,
    `Agent: I have escalated it. Update: ${f.outcome}.`,
    `Customer: ${pick(rng, ['Thanks for the help.', 'OK, thank you.', 'Great, appreciate it.'])}`,
  ];
  return lines.join('\n');
}

function shortSummary(rng: Rng, f: Facts): string {
  return say(rng, [
    '{customer} {reported} that they {issue} with {product}. {Tried} {t0} and {t1} without success. Status: {outcome}.',
    '{customer} {issue} ({product}). {Tried} {t0}, then {t1}; neither helped. Current status: {outcome}.',
  ], { customer: [f.customer], reported: ['reported', 'wrote', 'said'], issue: [f.issue], product: [f.product], Tried: ['Tried', 'They tried', 'Attempted'], t0: [f.tried[0]!], t1: [f.tried[1]!], outcome: [f.outcome] });
}

function longSummary(rng: Rng, f: Facts): string {
  const parts = [
    `In this conversation, the customer ${f.customer} contacted the ${pick(rng, ['support', 'help desk', 'service'])} team about ${f.product}.`,
    `They explained that they ${f.issue}, and that the problem started some time ago and has been affecting their work.`,
    `The agent apologized for the inconvenience and asked when the problem started, to better understand the situation.`,
    `The customer said that they had already tried ${f.tried[0]}, but unfortunately this did not resolve anything.`,
    `The agent then suggested ${f.tried[1]}, and the customer tried it and reported back that there was still no change.`,
    `After that, the agent escalated the case internally, and the latest update is that ${f.outcome}.`,
    `Finally, the customer thanked the agent for the help and the conversation ended on a positive note.`,
  ];
  return parts.slice(0, int(rng, 5, 7)).join(' ');
}

export const ticketSummarizer: ComponentSpec = {
  name: NAME,
  description: 'writes the ticket-history summary of a support conversation',
  weight: 0.2,
  prompt: (s) => `You help the ${s['team']} support team at Acme. Agent on duty: ${s['agent']}. Date: ${s['date']}. Summarize the conversation below for the ticket history.`,
  slots: (rng) => ({ team: pick(rng, teams), agent: personName(rng), date: isoDate(rng) }),
  vagueInstruction: 'Summarize the conversation below for the ticket history.',
  identity: /support team at Acme/,
  contract: {
    features: [
      { id: 'limit', pattern: /\b(at most|no more than|under|maximum of|up to|fewer than|not exceed|within)\s+(60|50|40|45|55|sixty|fifty)\s+words\b/i, weight: 2 },
      { id: 'sentences', pattern: /\b(one|two|three|1|2|3|a single|a few)\s+(short\s+)?sentences?\b/i, weight: 1 },
      { id: 'bare', pattern: /\b(no (preamble|introduction|bullet points|retelling)|do not retell|only the (facts|summary)|skip (pleasantries|greetings))\b/i, weight: 1 },
    ],
    vague: 0.4,
    precise: 0.95,
    statement: 'In at most 50 words and two sentences, no preamble: the problem, what was tried, the status.',
    partial: ['Use two or three sentences.', 'Write at most 60 words.', 'No preamble.'],
  },
  baseKnows: () => 1,
  problems: [{ id: LENGTH, diagnosis: 'behavioral', promptFixable: true, summary: `retells the conversation in 80–140 words where the history holds ${MAX_WORDS}`, ruleIds: ['short'] }],
  rules: [{ id: 'short', type: 'length', unit: 'words', max: MAX_WORDS }],
  rubric: `A good summary states the customer's problem, what was tried and the current status, in at most ${MAX_WORDS} words.`,
  input(rng) {
    const tried = [...steps].sort(() => rng() - 0.5).slice(0, 2);
    const f: Facts = { customer: personName(rng), product: pick(rng, products), issue: pick(rng, issues), tried, outcome: pick(rng, outcomes) };
    return { component: NAME, text: conversation(rng, f), truth: { ...f } };
  },
  answer({ input, complies, rng }) {
    const f = input.truth as unknown as Facts;
    if (!complies) return { text: longSummary(rng, f), causes: [LENGTH], finish: 'stop' };
    return { text: shortSummary(rng, f), causes: [], finish: 'stop' };
  },
  grade(input, output) {
    const f = input.truth as unknown as Facts;
    if (wordCount(output) > MAX_WORDS) return [LENGTH];
    return output.includes(f.outcome) && output.includes(f.customer) ? [] : [GLITCH];
  },
  correct: (input) => shortSummary(() => 0.5, input.truth as unknown as Facts),
  rationale(cause, ctx) {
    if (cause === GLITCH) return looksGlitched(ctx.output) ? glitchRationale(ctx.rng, ctx.output) : { rationale: 'The summary misses the current status.', criteria: ['completeness'] };
    const n = wordCount(ctx.output);
    return {
      rationale: say(ctx.rng, [
        'The summary is {long}: {n} words where at most {max} are {allowed}.',
        '{Way} too {long} ({n} words); it {retells} the conversation instead of summarizing it.',
        'At {n} words this is {over} the {max}-word limit of the ticket history.',
        'It {retells} every turn of the chat; a summary of {max} words or fewer was {needed}.',
        '{Verbose}: {n} words, {over} the limit, with the status buried at the end.',
      ], { long: ['too long', 'far too long', 'too wordy'], n: [String(n)], max: [String(MAX_WORDS)], allowed: ['allowed', 'permitted', 'wanted'], Way: ['Way', 'Much', 'Far'], retells: ['retells', 'repeats', 'narrates'], over: ['over', 'well over', 'beyond'], needed: ['needed', 'expected', 'required'], Verbose: ['Verbose', 'Wordy', 'Rambling'] }),
      criteria: [pick(ctx.rng, ['length', 'concise', 'brevity', 'word limit'])],
    };
  },
  comment(cause, ctx) {
    if (cause === GLITCH) return looksGlitched(ctx.output) ? glitchComment(ctx.rng, ctx.output) : 'missing the status';
    return say(ctx.rng, [
      'too long, nobody reads this in the history',
      'I need {short}, not the whole chat again',
      'way over the {max} word limit of our ticket field',
      '{short} please, this {retells} everything',
      'summary should be {short}',
    ], { short: ['a short summary', 'two sentences', 'the gist', 'something brief'], max: [String(MAX_WORDS)], retells: ['retells', 'repeats', 'copies'] });
  },
};
