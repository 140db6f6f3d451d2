/**
 * The simulated people behind the agents: who calls (users, sessions, the slot values of their system
 * prompts) and what they say back. A user whose answer was wrong sometimes gives a thumbs-down with a
 * comment — about one thing that went wrong, in their own words — and often the output that should have
 * been produced; a few give a thumbs-up; very few are grumpy about a good answer.
 */
import { int, pick, type Rng } from './random.ts';
import type { ComponentSpec, FleetInput } from './types.ts';
import { GLITCH } from './types.ts';

export const FEEDBACK_ON_FAILURE = 0.3;
export const CORRECTION_SHARE = 0.6;
export const THUMBS_UP_ON_SUCCESS = 0.05;
export const GRUMPY_ON_SUCCESS = 0.004;

export interface Session {
  id: string;
  user: string;
  slots: Record<string, string>;
}

/** Per component: a pool of users, each with an ongoing session that sometimes ends and a new one starts. */
export class Population {
  private readonly current = new Map<string, Session>();
  private next = 0;

  constructor(private readonly usersPerComponent = 40) {}

  /** A session of a user of the component: the ongoing one, or (fresh, or by chance) a new one. */
  session(rng: Rng, spec: ComponentSpec, fresh = false): Session {
    const user = `u-${spec.name}-${int(rng, 1, this.usersPerComponent)}`;
    const held = this.current.get(user);
    if (held && !fresh && rng() < 0.65) return held;
    const s: Session = { id: `s-${spec.name}-${(this.next++).toString(36)}`, user, slots: spec.slots(rng) };
    this.current.set(user, s);
    return s;
  }
}

export interface FeedbackPlan {
  rating: 'up' | 'down';
  /** The cause the comment is about (a problem id, GLITCH, or 'noise' for a grumpy user); null for a thumbs-up. */
  cause: string | null;
  comment?: string;
  correction?: string;
}

const grumpy = ['meh', 'not what I hoped for', 'could be better', 'hmm, no', 'did not help me today', 'I expected something else'];

/** What this user says about this answer, if anything. */
export function feedbackFor(rng: Rng, spec: ComponentSpec, input: FleetInput, output: string, causes: string[]): FeedbackPlan | null {
  if (causes.length === 0) {
    const r = rng();
    if (r < GRUMPY_ON_SUCCESS) return { rating: 'down', cause: 'noise', comment: `${pick(rng, grumpy)} (${pick(rng, ['again', 'today', 'this time', 'honestly'])})` };
    return r < GRUMPY_ON_SUCCESS + THUMBS_UP_ON_SUCCESS ? { rating: 'up', cause: null } : null;
  }
  if (rng() >= FEEDBACK_ON_FAILURE) return null;
  const real = causes.filter((c) => c !== GLITCH);
  const cause = real.length > 0 ? pick(rng, real) : GLITCH;
  const plan: FeedbackPlan = { rating: 'down', cause, comment: spec.comment(cause, { input, output, rng }) };
  if (rng() < CORRECTION_SHARE) plan.correction = spec.correct(input);
  return plan;
}
