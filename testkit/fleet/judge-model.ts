/**
 * The simulated LLM judge: it reads the judged call from the gateway's data block, finds the input in the
 * hidden fact table and knows what is wrong with the output (the truth of how it was generated). Like a
 * real judge it errs a little — it misses a few failures and fails a few good answers — and it never says
 * the same thing twice the same way: rationales are paraphrased from several templates per cause.
 */
import { falseAlarmRationale } from './glitch.ts';
import { int, rngOf } from './random.ts';
import { GLITCH, type FleetInput } from './types.ts';
import type { World } from './world.ts';

/** Good answers the judge fails by mistake, and failures it lets pass. */
export const JUDGE_FALSE_ALARM = 0.02;
export const JUDGE_MISS = 0.03;

export interface Verdict {
  pass: boolean;
  score: number;
  failed_criteria: string[];
  rationale: string;
}

export interface JudgeOutcome {
  verdict: Verdict;
  /** The cause the verdict is about: a problem id, GLITCH, 'noise' for a false alarm; null when it passed. */
  cause: string | null;
  input: FleetInput | null;
}

interface JudgedCall {
  conversation?: { role?: string; content?: string }[];
  output?: { text?: string | null; finish_reason?: string };
}

/** The judged call from the judge request's data block (the nonce is declared in the system prompt). */
export function judgedCall(system: string, user: string): JudgedCall | null {
  const nonce = /<call_data id="([^"<>\s]+)">/.exec(system)?.[1];
  if (!nonce) return null;
  const open = `<call_data id="${nonce}">`;
  const start = user.indexOf(open);
  const end = user.indexOf(`</call_data id="${nonce}">`, start + open.length);
  if (start < 0 || end < 0) return null;
  try {
    return JSON.parse(user.slice(start + open.length, end)) as JudgedCall;
  } catch {
    return null;
  }
}

/**
 * The verdict on a judged call. `truthOf` says what is wrong with an output the simulation generated
 * (the component's oracle answers for any other).
 */
export function judgeCall(world: World, seed: number, call: JudgedCall, truthOf: (input: FleetInput, output: string) => string[]): JudgeOutcome {
  const turns = call.conversation ?? [];
  const lastUser = [...turns].reverse().find((t) => t.role === 'user')?.content ?? '';
  const input = world.lookup(lastUser) ?? null;
  const output = call.output?.text ?? '';
  const rng = rngOf(seed, 'judge', lastUser, output);
  const pass = (): JudgeOutcome => ({ verdict: { pass: true, score: 0.75 + int(rng, 0, 25) / 100, failed_criteria: [], rationale: 'The output meets the rubric.' }, cause: null, input });
  if (!input) return pass();
  const spec = world.component(input.component);
  const causes = truthOf(input, output);
  if (causes.length === 0) {
    if (rng() >= JUDGE_FALSE_ALARM) return pass();
    const r = falseAlarmRationale(rng);
    return { verdict: { pass: false, score: 0.3 + int(rng, 0, 15) / 100, failed_criteria: r.criteria, rationale: r.rationale }, cause: 'noise', input };
  }
  if (rng() < JUDGE_MISS) return pass();
  const real = causes.filter((c) => c !== GLITCH);
  const cause = real.length > 0 ? real[Math.floor(rng() * real.length)]! : GLITCH;
  const r = spec.rationale(cause, { input, output, rng });
  return { verdict: { pass: false, score: int(rng, 2, 40) / 100, failed_criteria: r.criteria, rationale: r.rationale }, cause, input };
}
