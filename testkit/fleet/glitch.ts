/**
 * One-off failures of no systematic cause, on any component: a cut-off answer, an empty one, one in the
 * wrong language, one that wanders off. Their ground truth is GLITCH (noise), whatever rule they break.
 */
import { int, pick, say, type Rng } from './random.ts';
import { GLITCH, type Outcome } from './types.ts';

/** Share of answers that glitch. */
export const GLITCH_RATE = 0.012;

const topics = ['weather', 'a recipe for lemon cake', 'the history of lighthouses', 'football results', 'a poem about autumn', 'how volcanoes form', 'the rules of chess', 'jazz saxophone players', 'origami cranes', 'the orbit of Jupiter', 'kayaking in fjords', 'sourdough starters'];

export type GlitchKind = 'cut' | 'empty' | 'foreign' | 'offtopic';

export function glitchAnswer(rng: Rng, good: string): Outcome & { glitch: GlitchKind } {
  const kind = pick(rng, ['cut', 'empty', 'foreign', 'offtopic'] as const);
  switch (kind) {
    case 'cut':
      return { text: `${good.slice(0, Math.max(1, Math.floor(good.length / 2)))} The request concerns`, causes: [GLITCH], finish: 'length', glitch: kind };
    case 'empty':
      return { text: '', causes: [GLITCH], finish: 'stop', glitch: kind };
    case 'foreign':
      return { text: pick(rng, ['Lo siento, no puedo procesar esta solicitud en este momento.', 'Désolé, je ne peux pas traiter cette demande.', 'Es tut mir leid, das kann ich gerade nicht bearbeiten.']), causes: [GLITCH], finish: 'stop', glitch: kind };
    case 'offtopic':
      return { text: `As an AI model I would rather talk about ${pick(rng, topics)}, which is fascinating in ${int(rng, 2, 9)} ways.`, causes: [GLITCH], finish: 'stop', glitch: kind };
  }
}

/** The judge on a glitched answer: what it says depends on what it sees. */
export function glitchRationale(rng: Rng, output: string): { rationale: string; criteria: string[] } {
  if (!output.trim()) return { rationale: say(rng, ['The {answer} is empty.', 'Nothing was returned at all.', 'No {answer} was given: the output is blank.'], { answer: ['answer', 'output', 'response'] }), criteria: ['completeness'] };
  if (/Lo siento|Désolé|Es tut mir leid/.test(output)) return { rationale: say(rng, ['The {answer} is in another language and does not address the request.', 'Replied in a foreign language with a refusal instead of doing the task.', 'Wrong language: "{quote}".'], { answer: ['answer', 'reply'], quote: [output.slice(0, 40)] }), criteria: ['language'] };
  if (/As an AI model/.test(output)) return { rationale: say(rng, ['Off-topic: the {answer} talks about {what} instead of the task.', 'The model wandered off to {what}.', 'Irrelevant {answer} about {what}.'], { answer: ['answer', 'reply', 'output'], what: [output.replace(/^.*talk about /, '').replace(/,.*$/, '')] }), criteria: ['relevance'] };
  return { rationale: say(rng, ['The {answer} stops mid-sentence.', 'Output is cut off before it is complete: "{quote}…"', 'Truncated {answer}; the end is missing.'], { answer: ['answer', 'output', 'response'], quote: [output.slice(-30)] }), criteria: ['completeness'] };
}

/** A user's comment on a glitched answer. */
export function glitchComment(rng: Rng, output: string): string {
  if (!output.trim()) return pick(rng, ['empty answer??', 'it returned nothing', 'blank response']);
  if (/Lo siento|Désolé|Es tut mir leid/.test(output)) return pick(rng, ['why is this in another language', 'wrong language', 'I do not speak this language']);
  if (/As an AI model/.test(output)) return pick(rng, ['totally unrelated answer', 'what does this have to do with my question', 'off topic nonsense']);
  return pick(rng, ['answer cut off', 'it stopped in the middle', 'incomplete response']);
}

/** Rationales of a judge that fails a good answer by mistake (a few per cent): varied, about nothing in particular. */
export function falseAlarmRationale(rng: Rng): { rationale: string; criteria: string[] } {
  const things = ['tone', 'helpfulness', 'context', 'detail', 'clarity', 'confidence', 'politeness', 'nuance'];
  const thing = pick(rng, things);
  return {
    rationale: say(rng, [
      'The answer could show more {thing} about {topic}.',
      'Lacks {thing}; I would expect a mention of {topic}.',
      'Acceptable, but weak on {thing} ({topic}).',
      'Not fully convincing in {thing}: nothing on {topic}.',
    ], { thing: [thing], topic: [pick(rng, topics)] }),
    criteria: [thing],
  };
}

/** Whether an output has the look of a glitch (rather than of a component's own kind of mistake). */
export function looksGlitched(output: string, finish?: string): boolean {
  return finish === 'length' || !output.trim() || /Lo siento|Désolé|Es tut mir leid|As an AI model|The request concerns$/.test(output);
}
