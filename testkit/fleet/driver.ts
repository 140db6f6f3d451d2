/**
 * Drives the fleet's agents through the gateway with the official `openai` client — base URL the
 * gateway, `x-fixpoint-component`, session and user headers — and their users' feedback through
 * `POST /v1/feedback`, keeping the ground truth of every call (what was wrong with its answer).
 */
import OpenAI from 'openai';
import { BASE_MODEL } from './models.ts';
import { rngOf, seededRandom, weighted, type Rng } from './random.ts';
import type { Simulation } from './simulation.ts';
import type { FleetInput } from './types.ts';
import { feedbackFor, Population, type FeedbackPlan } from './users.ts';

export interface CallRecord {
  callId: string | null;
  component: string;
  phase: string;
  input: FleetInput;
  output: string;
  /** What was wrong with the answer (problem ids, GLITCH); [] when it was right. */
  causes: string[];
  /** `x-fixpoint-prompt-version`: the version the gateway applied, null for the agent's own prompt. */
  promptVersion: string | null;
  session: string;
  user: string;
  feedback: FeedbackPlan | null;
  error: string | null;
}

export interface DriveOptions {
  phase: string;
  /** Calls to send, components drawn by their weights… */
  count?: number;
  /** …or this many of each component, each in a fresh session. */
  perComponent?: number;
  concurrency: number;
  /** At most this many calls per second (default: as fast as the gateway answers). */
  rate?: number;
  feedback: boolean;
  /** Checked before each call: stop early when it says so. */
  stop?: () => boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class FleetDriver {
  readonly records: CallRecord[] = [];
  readonly byCallId = new Map<string, CallRecord>();
  private readonly client: OpenAI;
  private readonly people: Population;

  constructor(private readonly opts: { gatewayUrl: string; clientKey: string; sim: Simulation; seed: number; model?: string }) {
    this.client = new OpenAI({ baseURL: `${opts.gatewayUrl}/v1`, apiKey: opts.clientKey, maxRetries: 0, timeout: 60_000 });
    this.people = new Population();
  }

  /** Sends a batch of calls; resolves with their records. */
  async drive(o: DriveOptions): Promise<CallRecord[]> {
    const world = this.opts.sim.world;
    const specs = [...world.components.values()];
    const plan: string[] = o.perComponent !== undefined ? specs.flatMap((s) => Array.from({ length: o.perComponent ?? 0 }, () => s.name)) : [];
    const shuffle = seededRandom(Math.floor(this.opts.seed) ^ plan.length);
    for (let i = plan.length - 1; i > 0; i--) {
      const j = Math.floor(shuffle() * (i + 1));
      [plan[i], plan[j]] = [plan[j]!, plan[i]!];
    }
    const total = o.perComponent !== undefined ? plan.length : (o.count ?? 0);
    const out: CallRecord[] = [];
    const started = Date.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        if (next >= total || o.stop?.()) return;
        const i = next++;
        if (o.rate) {
          const due = started + (i / o.rate) * 1000;
          if (due > Date.now()) await sleep(due - Date.now());
        }
        // Each call draws from its own generator (seed, phase, index): what it is does not depend on the interleaving.
        const rng = rngOf(this.opts.seed, o.phase, i);
        const name = o.perComponent !== undefined ? plan[i]! : weighted(rng, specs.map((s) => [s.name, s.weight] as const));
        out.push(await this.call(rng, name, o.phase, o.perComponent !== undefined, o.feedback));
      }
    };
    await Promise.all(Array.from({ length: o.concurrency }, worker));
    return out;
  }

  private async call(rng: Rng, component: string, phase: string, freshSession: boolean, withFeedback: boolean): Promise<CallRecord> {
    const { sim } = this.opts;
    const spec = sim.world.component(component);
    const session = this.people.session(rng, spec, freshSession);
    const input = sim.world.register(spec.input(rng));
    const record: CallRecord = { callId: null, component, phase, input, output: '', causes: [], promptVersion: null, session: session.id, user: session.user, feedback: null, error: null };
    try {
      const { data, response } = await this.client.chat.completions
        .create(
          { model: this.opts.model ?? BASE_MODEL, temperature: 0, messages: [{ role: 'system', content: spec.prompt(session.slots) }, { role: 'user', content: input.text }] },
          { headers: { 'x-fixpoint-component': component, 'x-fixpoint-session': session.id, 'x-fixpoint-user': session.user } },
        )
        .withResponse();
      record.callId = response.headers.get('x-fixpoint-call-id');
      record.promptVersion = response.headers.get('x-fixpoint-prompt-version');
      record.output = data.choices[0]?.message.content ?? '';
      record.causes = sim.truthOf(input, record.output);
    } catch (err) {
      record.error = err instanceof Error ? err.message : String(err);
    }
    this.records.push(record);
    if (record.callId) this.byCallId.set(record.callId, record);
    if (withFeedback && record.callId && !record.error) await this.feedback(rng, record);
    return record;
  }

  private async feedback(rng: Rng, record: CallRecord): Promise<void> {
    const spec = this.opts.sim.world.component(record.component);
    const plan = feedbackFor(rng, spec, record.input, record.output, record.causes);
    if (!plan) return;
    const res = await fetch(`${this.opts.gatewayUrl}/v1/feedback`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.opts.clientKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ call_id: record.callId, rating: plan.rating, ...(plan.comment ? { comment: plan.comment } : {}), ...(plan.correction ? { correction: plan.correction } : {}) }),
    }).catch(() => null);
    if (res?.ok) record.feedback = plan;
    await res?.body?.cancel();
  }
}
