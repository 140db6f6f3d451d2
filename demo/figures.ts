/**
 * The demo's figures, measured: pass rates and failures by cause before and after come from the calls
 * the agents sent and the simulation's ground truth of each answer; what the loop did (patterns, runs,
 * versions, canary decisions, the recommendation, its dataset and training job) from the admin API.
 */
import type { CallRecord, FleetDriver } from '../testkit/fleet/index.ts';
import { promptFixPromoted, type LoopState, type RecommendationView, type RunView } from './loop-state.ts';
import type { SimulatedProvider } from './simulated-provider.ts';
import { stories, type Story } from './stories.ts';

export interface Rate {
  n: number;
  passed: number;
  rate: number | null;
  /** Share of the calls that failed by each cause (the problem's short name, or `glitch` for one-offs). */
  byCause: Record<string, number>;
}

export interface CanaryDecision {
  version: number;
  action: string;
  what: string;
}

export interface ComponentFigures {
  story: Story;
  before: Rate;
  after: Rate;
  /** After, by what served the call: `own` (the agent's prompt) or `vN`. */
  afterByVersion: Record<string, Rate>;
  /** The systematic patterns the gateway found, with its diagnosis and remedy. */
  patterns: { title: string; failureCount: number; remedy: string; diagnosis: string }[];
  runs: Pick<RunView, 'status' | 'outcome' | 'result'>[];
  /** The live version: its number, what made it, its model; null when the agent's own prompt serves. */
  live: { version: number; source: string; model: string | null } | null;
  /** Sentences the live prompt removed (−) and added (+) against the agent's own. */
  promptDiff: string[];
  canary: CanaryDecision[];
  recommendation: RecommendationView | null;
  /** What the loop achieved, as the story asks. */
  promptPromoted: boolean;
  tunedModelLive: boolean;
}

export interface DemoFigures {
  seed: number;
  /** Wall-clock seconds: starting the provider and the gateway, each phase, and all of it. */
  seconds: { start: number; before: number; loop: number; after: number; total: number };
  calls: { sent: number; errors: number; feedback: number; corrections: number };
  simulated: { agent: number; judge: number; optimizer: number; embeddings: number; trainingJobs: number };
  settings: string[];
  components: ComponentFigures[];
}

function rateOf(rs: readonly CallRecord[]): Rate {
  const passed = rs.filter((r) => r.causes.length === 0).length;
  const byCause: Record<string, number> = {};
  for (const r of rs) {
    for (const cause of new Set(r.causes)) {
      const k = cause.split('/').pop() ?? cause;
      byCause[k] = (byCause[k] ?? 0) + 1;
    }
  }
  for (const k of Object.keys(byCause)) byCause[k] = byCause[k]! / Math.max(1, rs.length);
  return { n: rs.length, passed, rate: rs.length ? passed / rs.length : null, byCause };
}

const sentences = (t: string): string[] => t.split(/(?<=[.!?])\s+/).map((s) => s.trim()).filter(Boolean);

export function promptDiff(before: string, after: string): string[] {
  const a = sentences(before);
  const b = sentences(after);
  return [...a.filter((s) => !b.includes(s)).map((s) => `- ${s}`), ...b.filter((s) => !a.includes(s)).map((s) => `+ ${s}`)];
}

function componentFigures(story: Story, records: readonly CallRecord[], s: LoopState): ComponentFigures {
  const mine = records.filter((r) => r.component === story.component && !r.error);
  const after = mine.filter((r) => r.phase === 'after');
  const afterByVersion: Record<string, Rate> = {};
  const prompts = s.prompts[story.component];
  const versionLabel = (id: string | null) => {
    const v = prompts?.versions.find((x) => x.id === id);
    return v ? `v${v.version}` : 'own';
  };
  for (const v of new Set(after.map((r) => versionLabel(r.promptVersion)))) afterByVersion[v] = rateOf(after.filter((r) => versionLabel(r.promptVersion) === v));
  const observed = prompts?.versions.find((v) => v.version === 0);
  const active = prompts?.versions.find((v) => v.id === prompts.active_version_id) ?? null;
  const canary = (prompts?.audit ?? [])
    .filter((a) => a.actor === 'canary-monitor')
    .map((a) => {
      const v = prompts?.versions.find((x) => x.id === a.version_id);
      return { version: v?.version ?? -1, action: a.action, what: v?.origin.source === 'retrain' ? `tuned model ${v.model ?? ''}` : 'prompt' };
    });
  // The one that reached furthest: a promoted recommendation over a later one, else the newest.
  const recs = s.recommendations.filter((r) => r.component === story.component);
  const recommendation = recs.find((r) => r.status === 'promoted') ?? recs[0] ?? null;
  return {
    story,
    before: rateOf(mine.filter((r) => r.phase === 'before')),
    after: rateOf(after),
    afterByVersion,
    patterns: s.patterns
      .filter((p) => p.component === story.component && p.systematic)
      .map((p) => ({ title: p.title, failureCount: p.failure_count, remedy: p.remedy, diagnosis: p.diagnosis?.kind ?? '—' })),
    runs: s.runs.filter((r) => r.component === story.component).map((r) => ({ status: r.status, outcome: r.outcome, result: r.result })),
    live: active ? { version: active.version, source: active.origin.source ?? 'unknown', model: active.model } : null,
    promptDiff: observed && active ? promptDiff(observed.template, active.template) : [],
    canary,
    recommendation,
    promptPromoted: promptFixPromoted(prompts),
    tunedModelLive: Boolean(active?.model && /ft:/.test(active.model)) && recommendation?.status === 'promoted',
  };
}

export function figuresOf(o: { driver: FleetDriver; state: LoopState; provider: SimulatedProvider; settings: string[]; seed: number; seconds: DemoFigures['seconds'] }): DemoFigures {
  const recs = o.driver.records;
  const c = o.provider.sim.counts;
  return {
    seed: o.seed,
    seconds: o.seconds,
    calls: { sent: recs.length, errors: recs.filter((r) => r.error).length, feedback: recs.filter((r) => r.feedback).length, corrections: recs.filter((r) => r.feedback?.correction).length },
    simulated: { agent: c.agent, judge: c.judge, optimizer: c.optimizer, embeddings: c.embeddings, trainingJobs: o.provider.ft.jobs().length },
    settings: o.settings,
    components: stories.map((story) => componentFigures(story, recs, o.state)),
  };
}
