import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.ts';
import { failures, optimizationRuns, patterns, rowsOf, type Database } from '../src/db/index.ts';
import { createJobSystem, type JobSystem } from '../src/jobs/index.ts';
import { startPolicyRuns } from '../src/optimize/index.ts';
import { publishCandidate } from '../src/optimize/publish.ts';
import { createPromptVersion, movePromptPointer } from '../src/prompts/index.ts';
import { openMigratedTestDatabase } from './support/test-database.ts';

/**
 * Which patterns the policy starts a run for: enough failing calls to judge a prompt on, nothing in
 * flight, no run within the cooldown — except an inconclusive one once as many new cases arrived.
 */
let closeDatabase: (() => Promise<void>) | undefined;
let database: Database;
let jobs: JobSystem;

beforeAll(async () => {
  ({ database, close: closeDatabase } = await openMigratedTestDatabase());
  jobs = createJobSystem({ redisUrl: undefined, prefix: 'policy', logger: pino({ level: 'silent' }) });
}, 60_000);
afterAll(async () => {
  await jobs?.close(100);
  await closeDatabase?.();
});

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);

/** A recorded call of the component with a system prompt: what its observed version 0 is inferred from. */
async function observedCall(component: string): Promise<void> {
  const prompt = 'Classify the ticket. Answer with one label.';
  const hash = crypto.randomUUID().replaceAll('-', '');
  await database.db.execute(sql`insert into prompts (hash, content) values (${hash}, ${prompt})`);
  await database.db.execute(sql`
    insert into calls (id, started_at, ended_at, latency_ms, route, component, status, http_status, system_prompt_hash)
    values (${crypto.randomUUID()}, now(), now(), 10, 'chat.completions', ${component}, 'success', 200, ${hash})`);
}

async function pattern(name: string, failingCalls: number, failedHoursAgo: number, run?: { outcome: string | null; status: string; hoursAgo: number; patternCases?: number }, component = name): Promise<string> {
  const id = crypto.randomUUID();
  await database.db.insert(patterns).values({
    id, component, kind: 'rule', ruleId: 'label', shape: 's', title: name, summary: name, space: 'local', centroid: { idx: [], val: [] }, centroidNorm2: 0,
    firstSeen: hoursAgo(48), lastSeen: hoursAgo(0), status: 'systematic', systematic: true, remedy: 'prompt',
  });
  if (failingCalls > 0) {
    await database.db.insert(failures).values(
      Array.from({ length: failingCalls }, () => ({ id: crypto.randomUUID(), callId: crypto.randomUUID(), component, kind: 'rule', ruleId: 'label', message: 'm', patternId: id, callStartedAt: hoursAgo(failedHoursAgo), createdAt: hoursAgo(failedHoursAgo) })),
    );
  }
  if (run) {
    await database.db.insert(optimizationRuns).values({ id: crypto.randomUUID(), patternId: id, component, status: run.status, outcome: run.outcome, trigger: 'policy', sets: run.patternCases ? { patternCases: run.patternCases } : {}, createdAt: hoursAgo(run.hoursAgo) });
  }
  return id;
}

/** A pattern whose run 1 h ago was accepted and promoted, with `failing` failing calls served by that version since. */
async function fixedAndPromoted(name: string, failing: number): Promise<string> {
  const id = await pattern(name, 30, 3, { outcome: 'fixed', status: 'accepted', hoursAgo: 1, patternCases: 30 });
  await observedCall(name);
  const v = await createPromptVersion(database.db, name, { template: 'Reply with exactly one of: billing, technical, account.', source: 'manual' }, 'test');
  await movePromptPointer(database.db, v.id, { action: 'activate' }, 'test');
  await database.db.execute(sql`update optimization_runs set winner_version_id = ${v.id} where pattern_id = ${id}`);
  for (let i = 0; i < failing; i++) {
    const callId = crypto.randomUUID();
    await database.db.execute(sql`
      insert into calls (id, started_at, ended_at, latency_ms, route, component, status, http_status, prompt_version_id)
      values (${callId}, now(), now(), 10, 'chat.completions', ${name}, 'success', 200, ${v.id})`);
    await database.db.insert(failures).values({ id: crypto.randomUUID(), callId, component: name, kind: 'rule', ruleId: 'label', message: 'm', patternId: id, callStartedAt: new Date() });
  }
  return id;
}

describe('the optimization policy', () => {
  it('waits for enough cases, keeps the cooldown, and retries an inconclusive run once as many new cases arrived', async () => {
    const fresh = await pattern('fresh', 30, 2);
    await pattern('too-few', 10, 2);
    await pattern('could-not-fix-lately', 30, 2, { outcome: 'could_not_fix', status: 'not_fixed', hoursAgo: 1 });
    await pattern('inconclusive-nothing-new', 30, 3, { outcome: 'inconclusive', status: 'not_fixed', hoursAgo: 1, patternCases: 30 });
    await pattern('inconclusive-few-new', 20, 0.5, { outcome: 'inconclusive', status: 'not_fixed', hoursAgo: 1, patternCases: 30 });
    const grown = await pattern('inconclusive-doubled', 30, 0.5, { outcome: 'inconclusive', status: 'not_fixed', hoursAgo: 1, patternCases: 20 });
    await pattern('running', 30, 2, { outcome: null, status: 'running', hoursAgo: 30 });
    const cooled = await pattern('cooled-down', 30, 2, { outcome: 'could_not_fix', status: 'not_fixed', hoursAgo: 30 });
    // One component at a time: its largest due pattern.
    await pattern('smaller', 25, 2, undefined, 'two-patterns');
    const larger = await pattern('larger', 40, 2, undefined, 'two-patterns');
    // Not while a canary of the component is being decided.
    await pattern('on-canary', 30, 2);
    await observedCall('on-canary');
    const v = await createPromptVersion(database.db, 'on-canary', { template: 'Reply with exactly one of: billing, technical, account.', source: 'manual' }, 'test');
    await movePromptPointer(database.db, v.id, { action: 'canary', share: 0.1 }, 'test');

    // A run that fixed it, its version promoted: tried again only while the pattern still fails under that version.
    const partial = await fixedAndPromoted('partly-fixed', 30);
    await fixedAndPromoted('well-fixed', 5);

    const settings = { ...loadConfig({}).file.optimizer, model: 'gpt-4o-mini' };
    const started = await startPolicyRuns(database.db, jobs, settings);
    const runs = rowsOf<{ pattern_id: string }>(await database.db.execute(sql`select pattern_id from optimization_runs where id = any(${`{${started.join(',')}}`}::uuid[])`));
    const patternIds = runs.map((r) => r.pattern_id).sort();
    expect(patternIds).toEqual([fresh, grown, cooled, larger, partial].sort());
    // Started once: the next sweep finds them queued.
    expect(await startPolicyRuns(database.db, jobs, settings)).toEqual([]);
  });

  it('leaves an accepted version a candidate while another is on canary, and canaries it otherwise', async () => {
    const settings = { ...loadConfig({}).file.optimizer, model: 'gpt-4o-mini' };
    const announce = async () => {};
    await observedCall('publish');
    const run = (component: string) => ({ id: crypto.randomUUID(), component, patternId: crypto.randomUUID() });
    const best = { id: 'c1', parent: null, template: 'Reply with exactly one of: billing, technical, account.', model: null, rejected: null, scores: {}, costUsd: 0, latencyMs: 0 };
    const first = await publishCandidate({ db: database.db, announcePrompts: announce }, run('publish'), best, settings);
    expect(first.canaried).toBe(true);
    const second = await publishCandidate({ db: database.db, announcePrompts: announce }, run('publish'), { ...best, template: `${best.template} Nothing else.` }, settings);
    expect(second.canaried).toBe(false);
    const pointers = rowsOf<{ canary_version_id: string }>(await database.db.execute(sql`select canary_version_id from component_prompts where component = 'publish'`));
    expect(pointers[0]!.canary_version_id).toBe(first.id);
  });
});
