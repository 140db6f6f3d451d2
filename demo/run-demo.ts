/**
 * One run of the demo: the simulated provider and the real gateway up; the agents' traffic with their
 * users' feedback before the loop has done anything ("before"); traffic while the loop works by itself
 * (detect → group → diagnose → optimize → canary, and recommend → dataset → train → evaluate → canary);
 * fresh traffic on whatever is live at the end ("after"); then the figures, measured on the calls.
 */
import { FleetDriver } from '../testkit/fleet/index.ts';
import { AdminClient } from './admin.ts';
import { figuresOf, type DemoFigures } from './figures.ts';
import { startGatewayProcess, type GatewayProcess } from './gateway-process.ts';
import { changes, ENDED_RECOMMENDATION, pending, promptFixPromoted, readLoopState, type LoopState } from './loop-state.ts';
import { startSimulatedProvider, type SimulatedProvider } from './simulated-provider.ts';
import { demoWorld, stories } from './stories.ts';

export interface DemoOptions {
  seed: number;
  /** Calls per component before the loop acts, and after it is done. */
  beforeCalls: number;
  afterCalls: number;
  /** Calls per component per round of the loop's traffic, and calls per second at most. */
  roundCalls: number;
  rate: number;
  /** The loop phase ends when every story is decided and nothing is pending for `quietSeconds`, or after this long. */
  maxLoopSeconds: number;
  quietSeconds: number;
  /** Leave the gateway (and the simulated provider) up after the run; `close` takes them down. */
  keep: boolean;
  log(line: string): void;
}

/** The before phase sends as fast as the gateway takes it: it is also where the loop's first evidence comes from, so a short run keeps most of it. */
export const FAST: Omit<DemoOptions, 'seed' | 'keep' | 'log'> = { beforeCalls: 120, afterCalls: 80, roundCalls: 10, rate: 30, maxLoopSeconds: 240, quietSeconds: 5 };
/** The full run measures more calls, and waits longer for the loop to be quiet (a follow-up run on a partial fix gets its turn). */
export const FULL: Omit<DemoOptions, 'seed' | 'keep' | 'log'> = { beforeCalls: 150, afterCalls: 250, roundCalls: 10, rate: 30, maxLoopSeconds: 600, quietSeconds: 30 };

export interface DemoRun {
  figures: DemoFigures;
  gatewayUrl: string;
  /** Takes the gateway and the provider down (already done unless `keep`). */
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Every story reached its decision: the fixes it needs were promoted or turned down, and nothing is under way. */
function decided(s: LoopState): boolean {
  return stories.every((story) => {
    const recs = s.recommendations.filter((r) => r.component === story.component);
    const promoted = promptFixPromoted(s.prompts[story.component]);
    // A recommendation the sweep dismissed by itself (its patterns merged or gone quiet) is no decision: another follows.
    const tuned = recs.some((r) => ENDED_RECOMMENDATION.includes(r.status) && r.status !== 'dismissed');
    switch (story.expected) {
      case 'prompt':
        return promoted;
      case 'tuned model':
        return tuned;
      case 'prompt + tuned model':
        return promoted && tuned;
      case 'none':
        return true;
    }
  });
}

async function loopPhase(o: DemoOptions, api: AdminClient, driver: FleetDriver, started: number): Promise<LoopState> {
  const components = stories.map((s) => s.component);
  const printed = new Set<string>();
  let stop = false;
  const traffic = (async () => {
    for (let round = 0; !stop; round++) await driver.drive({ phase: `loop#${round}`, perComponent: o.roundCalls, concurrency: 4, rate: o.rate, feedback: true, stop: () => stop });
  })();
  const t0 = Date.now();
  let quietSince: number | null = null;
  let lastBeat = 0;
  let state = await readLoopState(api, components);
  try {
    for (;;) {
      await sleep(2000);
      state = await readLoopState(api, components);
      const at = `${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s`;
      for (const line of changes(state, printed)) o.log(`${at}  ${line}`);
      if (Date.now() - lastBeat > 15_000) {
        lastBeat = Date.now();
        o.log(`${at}  traffic  ${driver.records.length} calls sent, ${driver.records.filter((r) => r.feedback).length} with feedback; ${state.patterns.filter((p) => p.systematic).length} systematic patterns, ${state.runs.length} runs, ${pending(state)} things under way`);
      }
      const quiet = decided(state) && pending(state) === 0;
      quietSince = quiet ? (quietSince ?? Date.now()) : null;
      if (quietSince !== null && Date.now() - quietSince >= o.quietSeconds * 1000) break;
      if (Date.now() - t0 > o.maxLoopSeconds * 1000) {
        o.log(`${at}  the loop phase's ${o.maxLoopSeconds} s are up (${pending(state)} things still under way)`);
        break;
      }
    }
  } finally {
    stop = true;
    await traffic;
  }
  return state;
}

export async function runDemo(o: DemoOptions): Promise<DemoRun> {
  const started = Date.now();
  const secs = () => (Date.now() - started) / 1000;
  const world = demoWorld();
  let provider: SimulatedProvider | null = null;
  let gateway: GatewayProcess | null = null;
  const close = async () => {
    await gateway?.close();
    await provider?.close();
  };
  try {
    provider = await startSimulatedProvider(world, o.seed);
    gateway = await startGatewayProcess(world, provider.baseUrl);
    const startSeconds = secs();
    o.log(`gateway   ${gateway.url} (fixpoint serve: embedded PGlite in a temporary folder, jobs in-process; ready in ${gateway.readySeconds.toFixed(0)} s)`);
    o.log(`provider  ${provider.baseUrl} (simulated: agents' model, judge, optimizer, embeddings, files + fine-tuning jobs); seed ${o.seed}`);
    const api = new AdminClient(gateway.url);
    const driver = new FleetDriver({ gatewayUrl: gateway.url, clientKey: `sk-demo-agents-${o.seed}-abcdefghijklmnop`, sim: provider.sim, seed: o.seed });
    o.log(`\n— before: ${o.beforeCalls} calls per component through the gateway, with the users' feedback`);
    await driver.drive({ phase: 'before', perComponent: o.beforeCalls, concurrency: 6, feedback: true });
    const beforeSeconds = secs() - startSeconds;
    o.log(`\n— the loop, unattended: traffic keeps flowing while Fixpoint finds, diagnoses and fixes`);
    const loopStarted = secs();
    await loopPhase(o, api, driver, started);
    const loopSeconds = secs() - loopStarted;
    o.log(`\n— after: ${o.afterCalls} fresh calls per component on whatever is live now`);
    const afterStarted = secs();
    await driver.drive({ phase: 'after', perComponent: o.afterCalls, concurrency: 6, feedback: false });
    const state = await readLoopState(api, stories.map((s) => s.component));
    const figures = figuresOf({ driver, state, provider, settings: gateway.changed, seed: o.seed, seconds: { start: startSeconds, before: beforeSeconds, loop: loopSeconds, after: secs() - afterStarted, total: secs() } });
    const gatewayUrl = gateway.url;
    if (!o.keep) await close();
    return { figures, gatewayUrl, close };
  } catch (err) {
    if (gateway) o.log(`\nthe gateway's last log lines (${gateway.logPath}):\n${gateway.logTail()}`);
    await close();
    throw err;
  }
}
