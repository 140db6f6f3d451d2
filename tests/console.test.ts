import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ADMIN_TOKEN, clientFor, startHarness, type Harness } from './support/gateway.ts';
import { eventually } from './support/eventually.ts';
import { sendFeedback } from './support/feedback.ts';
import { chromiumAvailable, launchChromium } from './support/browser.ts';
import { seedAcceptedRun, seedHistory, seedOpenRecommendation, seedTrainingRecommendation, seedVerdict } from './support/console-seed.ts';

/**
 * The web console in headless Chromium against a real gateway fed through the fake upstream: every
 * page shows the data the admin API holds, and its buttons change that data (checked through the API).
 * FIXPOINT_CONSOLE_SCREENSHOTS=<dir> also saves the main pages as PNGs (docs/console/ holds them).
 */
const yaml = `
components:
  router:
    description: Routes support tickets
    rules:
      - { id: label, type: labels, labels: [billing, technical, account] }
patterns:
  systematic: { minFailures: 3, minCalls: 10, minSessions: 2, minUsers: 2 }
`;

const system = (i: number) => `You route tickets for Acme. The customer is Customer ${i}. Today is 2027-01-${String((i % 28) + 1).padStart(2, '0')}. Answer with one label.`;
const WINNER = 'You route tickets for Acme. The customer is {{slot1}}. Today is {{slot2}}. Reply with exactly one of: billing, technical, account.';
const HOSTILE = 'my invoice is wrong <img src=x onerror="document.title=1"><script>document.title="xss"</script>';
const screenshots = process.env['FIXPOINT_CONSOLE_SCREENSHOTS'];

let h: Harness;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let base: string;
const state = { patternId: '', patternTitle: '', runId: '', v1: '', v2: '', openRec: '', trainingRec: '', datasetId: '', hostileCall: '', feedbackCall: '' };

const api = async <T>(p: string): Promise<T> => {
  const res = await h.admin(p);
  expect(res.status, `${p}: ${res.status}`).toBe(200);
  return (await res.json()) as T;
};
const adminPost = async (p: string, body: unknown = {}): Promise<Response> =>
  fetch(`${h.gateway.url}${p}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function shot(name: string): Promise<void> {
  if (!screenshots) return;
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: false });
}

/** Traffic through the official client: router calls the label rule fails, one hostile input, one with a correction. */
async function traffic(): Promise<void> {
  const client = clientFor(h);
  for (let i = 0; i < 24; i++) {
    const user = i === 5 ? HOSTILE : 'my invoice is wrong';
    const { response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: system(i) }, { role: 'user', content: user }] }, { headers: { 'x-fixpoint-component': 'router', 'x-fixpoint-session': `s${i}`, 'x-fixpoint-user': `u${i % 4}` } })
      .withResponse();
    const id = response.headers.get('x-fixpoint-call-id')!;
    if (i === 5) state.hostileCall = id;
    if (i === 23) state.feedbackCall = id;
  }
  await h.gateway.deps.recorder.flush();
  await sendFeedback(h, { call_id: state.feedbackCall, rating: 'down', comment: 'should be billing', correction: 'billing' });
}

beforeAll(async () => {
  if (!chromiumAvailable()) return;
  browser = await launchChromium();
  h = await startHarness(
    { FIXPOINT_DETECT_SWEEP_MS: '300', FIXPOINT_GROUP_SWEEP_MS: '300', FIXPOINT_RETRAIN_SWEEP_MS: '3600000', FIXPOINT_OPTIMIZE_SWEEP_MS: '3600000', FIXPOINT_CANARY_CHECK_MS: '3600000' },
    { yaml, worker: true },
  );
  base = h.gateway.url;
  await seedHistory(h.gateway.deps.database.db, { component: 'router', system });
  await seedHistory(h.gateway.deps.database.db, { component: 'kb', system: (i) => `You answer product questions for Acme. The customer is Customer ${i}.` });
  await traffic();
  const pattern = await eventually(async () => {
    const ps = (await api<{ data: { id: string; title: string; failure_count: number }[] }>('/api/patterns?component=router')).data;
    expect(ps.length).toBeGreaterThan(0);
    expect(ps[0]!.failure_count).toBeGreaterThanOrEqual(20);
    return ps[0]!;
  }, 60_000);
  state.patternId = pattern.id;
  state.patternTitle = pattern.title;
  // The first retrain sweep ran (it dismisses waiting recommendations without candidates) before the seeded ones exist.
  await eventually(async () => expect(await h.jobMetrics()).toMatch(/fixpoint_jobs_completed_total\{queue="retrain[^"]*"\} [1-9]/), 30_000);

  const v1 = (await (await adminPost('/api/components/router/prompts', { template: 'Route tickets for Acme. Customer: {{slot1}}. Date: {{slot2}}. Answer with one label.', note: 'shorter' })).json()) as { id: string };
  expect((await adminPost(`/api/prompts/${v1.id}/activate`)).status).toBe(200);
  const v2 = (await (await adminPost('/api/components/router/prompts', { template: WINNER })).json()) as { id: string };
  state.v1 = v1.id;
  state.v2 = v2.id;
  const db = h.gateway.deps.database.db;
  const observed = (await api<{ versions: { version: number; template: string }[] }>('/api/components/router/prompts')).versions.find((v) => v.version === 0)!;
  state.runId = await seedAcceptedRun(db, { patternId: state.patternId, component: 'router', current: observed.template, winner: WINNER, winnerVersionId: v2.id });
  state.openRec = await seedOpenRecommendation(db, { component: 'router', patternId: state.patternId, title: state.patternTitle });
  await seedVerdict(db, state.feedbackCall, 'router');
  ({ id: state.trainingRec, datasetId: state.datasetId } = await seedTrainingRecommendation(db, { component: 'kb', dir: path.join(h.db.dataDir, 'retrain') }));

  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe.skipIf(!chromiumAvailable())('web console', () => {
  it('asks for the admin token, and keeps a session cookie that is not the token', async () => {
    await page.goto(`${base}/console`);
    expect(new URL(page.url()).pathname).toBe('/console/login');
    await page.fill('input[name=token]', 'not-the-token');
    await page.click('button[type=submit]');
    await expect.poll(() => page.textContent('.flash-error')).toContain('not the admin token');
    await page.fill('input[name=token]', ADMIN_TOKEN);
    await page.click('button[type=submit]');
    await page.waitForURL(`${base}/console`);
    const [cookie] = (await context.cookies()).filter((c) => c.name === 'fixpoint_console');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console' });
    expect(cookie!.value).not.toContain(ADMIN_TOKEN);
    // Without the cookie the pages stay closed.
    expect((await fetch(`${base}/console/patterns`, { redirect: 'manual' })).status).toBe(302);
  });

  it('components: traffic, failure rate over time, active prompt version', async () => {
    await page.goto(`${base}/console`);
    const row = page.locator('tr', { has: page.locator('a', { hasText: /^router$/ }) });
    const listed = (await api<{ data: { component: string; traffic: { calls_24h: number; failed_calls_24h: number } }[] }>('/api/components')).data.find((x) => x.component === 'router')!;
    const { calls_24h: calls24h, failed_calls_24h: failed24h } = listed.traffic;
    expect(calls24h).toBeGreaterThan(100);
    const cells = await row.locator('td').allTextContents();
    expect(cells[1]).toBe(calls24h.toLocaleString('en-US'));
    expect(cells[4]).toBe(`${((failed24h / calls24h) * 100).toFixed(1)} %`);
    expect(await row.locator('svg.chart rect.bar').count()).toBe(24);
    expect(await row.locator('svg.chart polyline.rate').count()).toBe(1);
    expect(await row.textContent()).toContain('v1');
    await shot('components');
    await row.locator('a', { hasText: /^router$/ }).click();
    await page.waitForURL(`${base}/console/components/router`);
    expect(await page.textContent('main')).toContain('label');
    expect(await page.locator('svg.chart').count()).toBe(2);
    expect(await page.textContent('main')).toContain(state.patternTitle);
  });

  it('patterns: the list with filters, and a pattern with diagnosis, examples, correction and events', async () => {
    await page.goto(`${base}/console/patterns?component=router&sort=failures`);
    await page.click(`a:has-text("${state.patternTitle}")`);
    await page.waitForURL(`${base}/console/patterns/${state.patternId}`);
    const main = (await page.textContent('main'))!;
    expect(main).toContain('Diagnosis');
    expect(main).toContain('my invoice is wrong');
    expect(main).toContain('label');
    expect(await page.locator('h2:has-text("Events") + table tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('svg.chart rect.bar-failures').count()).toBe(24);
    await shot('pattern');
    await page.goto(`${base}/console/patterns?status=resolved&component=router`);
    expect(await page.textContent('main')).toContain('No patterns.');
    // The feedback's failure, grouped into its pattern, shows with its correction.
    const feedbackPattern = await eventually(async () => {
      const fs = (await api<{ data: { kind: string; pattern_id: string | null }[] }>(`/api/failures?call_id=${state.feedbackCall}`)).data;
      const f = fs.find((x) => x.kind === 'feedback');
      expect(f?.pattern_id).toBeTruthy();
      return f!.pattern_id!;
    }, 30_000);
    await page.goto(`${base}/console/patterns/${feedbackPattern}`);
    expect(await page.locator('pre.correction').allTextContents()).toContain('billing');
  });

  it('a run: candidates with scores, the winner as a diff, the gate; "Put on canary" moves the pointer', async () => {
    await page.goto(`${base}/console/runs`);
    await page.click(`a[href="/console/runs/${state.runId}"]`);
    await page.waitForURL(`${base}/console/runs/${state.runId}`);
    expect(await page.locator('pre.diff .diff-added').textContent()).toContain('Reply with exactly one of: billing, technical, account.');
    expect((await page.locator('pre.diff .diff-added ins').allTextContents()).join(' ')).toMatch(/Reply[\s\S]*exactly[\s\S]*billing, technical, account/);
    expect((await page.locator('pre.diff .diff-removed del').allTextContents()).join('')).toContain('Answer');
    expect(await page.locator('table.gate').textContent()).toMatch(/100\.0 %[\s\S]*0\.0 %/);
    expect(await page.textContent('main')).toMatch(/p \(regressions\)\s*1\.0000/);
    expect(await page.locator('tr.winner').textContent()).toContain('10/10');
    expect(await page.textContent('main')).toContain('adds a slot');
    await shot('run');
    await page.fill('form[action$="/canary"] input[name=share_percent]', '25');
    await page.click('form[action$="/canary"] button');
    await page.waitForURL(`${base}/console/runs/${state.runId}`);
    expect(await page.textContent('.flash-ok')).toContain('on canary');
    const prompts = await api<{ canary_version_id: string | null; canary_share: number }>('/api/components/router/prompts');
    expect(prompts.canary_version_id).toBe(state.v2);
    expect(prompts.canary_share).toBeCloseTo(0.25);
  });

  it('prompt versions with the audit trail; a rollback through the console shows in the API', async () => {
    await page.goto(`${base}/console/prompts/router`);
    expect(await page.locator('article.version').count()).toBe(3);
    await page.fill(`#v1 input[name=reason]`, 'console test rollback');
    await page.click(`#v1 form[action$="/rollback"] button`);
    await page.waitForURL(`${base}/console/prompts/router`);
    expect(await page.textContent('.flash-ok')).toContain('rolled back');
    const view = await api<{ active_version_id: string | null; versions: { id: string; status: string }[]; audit: { action: string; actor: string; detail: { reason?: string } }[] }>('/api/components/router/prompts');
    expect(view.active_version_id).toBeNull();
    expect(view.versions.find((v) => v.id === state.v1)?.status).toBe('rolled_back');
    expect(view.audit.at(-1)).toMatchObject({ action: 'rolled_back', actor: 'admin', detail: { reason: 'console test rollback' } });
    expect(await page.locator('table.list').last().textContent()).toContain('console test rollback');
    // Promote the canary through the console.
    await page.click(`#v2 form[action$="/activate"] button`);
    await page.waitForURL(`${base}/console/prompts/router`);
    const after = await api<{ active_version_id: string | null }>('/api/components/router/prompts');
    expect(after.active_version_id).toBe(state.v2);
  });

  it('"Start an optimization run" queues a run for the pattern', async () => {
    await page.goto(`${base}/console/patterns/${state.patternId}`);
    await page.click('form[action$="/optimize"] button');
    await page.waitForURL(/\/console\/runs\/[0-9a-f-]{36}$/);
    const runId = page.url().split('/').at(-1)!;
    expect(await page.textContent('.flash-ok')).toContain('queued');
    const run = await api<{ pattern_id: string; trigger: string }>(`/api/optimizations/${runId}`);
    expect(run.pattern_id).toBe(state.patternId);
    expect(run.trigger).toBe('manual');
  });

  it('fine-tuning: the arithmetic, the dataset and the job progress; approve and dismiss', async () => {
    await page.goto(`${base}/console/recommendations`);
    expect(await page.locator('tbody tr').count()).toBe(2);
    await page.click(`a[href="/console/recommendations/${state.trainingRec}"]`);
    const main = (await page.textContent('main'))!;
    expect(main).toContain('Step 50/100');
    expect(main).toContain('ftjob-console-test');
    expect(main).toMatch(/Paid back in\s*0\.27 days/);
    const download = await page.request.get(`${base}/console/datasets/${state.datasetId}/files/train.jsonl`);
    expect(download.status()).toBe(200);
    expect(await download.text()).toContain('A widget is a part.');

    await page.goto(`${base}/console/recommendations/${state.openRec}`);
    await shot('recommendation');
    await page.click('form[action$="/approve"] button');
    await page.waitForURL(`${base}/console/recommendations/${state.openRec}`);
    expect(await page.textContent('.flash-ok')).toContain('approved');
    const rec = await api<{ status: string; approved_by: string | null }>(`/api/recommendations/${state.openRec}`);
    expect(rec.approved_by).toBe('admin');
    expect(rec.status).not.toBe('open');
    // Dismissing it now is refused by the API: the console says why.
    const res = await page.request.post(`${base}/console/recommendations/${state.openRec}/dismiss`, { form: { back: `/console/recommendations/${state.openRec}` }, headers: { origin: base } });
    expect(res.url()).toContain(`/console/recommendations/${state.openRec}`);
    await page.goto(`${base}/console/recommendations/${state.openRec}`);
    expect(await page.locator('form[action$="/approve"]').count()).toBe(0);
  });

  it('calls: search by session, user and status; a call with request, response, failures and feedback, escaped', async () => {
    await page.goto(`${base}/console/calls?component=router&session=s23`);
    expect(await page.locator('tbody tr').count()).toBe(1);
    await page.goto(`${base}/console/calls?user=u1&status=success`);
    expect(await page.locator('tbody tr').count()).toBe(6);
    await page.goto(`${base}/console/calls?component=router&from=2020-01-01T00:00&to=2020-01-02T00:00`);
    expect(await page.textContent('main')).toContain('No calls match.');
    await page.goto(`${base}/console/calls/${state.feedbackCall}`);
    const main = (await page.textContent('main'))!;
    expect(main).toContain('should be billing');
    expect(main).toContain('The reply echoes the ticket');
    expect(main).toContain('label');
    await page.goto(`${base}/console/calls/${state.hostileCall}`);
    expect(await page.textContent('main')).toContain('<script>document.title="xss"</script>');
    expect(await page.locator('main script, main img').count()).toBe(0);
    expect(await page.title()).not.toBe('xss');
    await page.goto(`${base}/console/calls/${state.feedbackCall}`);
    await shot('call');
  });

  it('refuses a console POST from another origin, or with no origin at all', async () => {
    const cookie = (await context.cookies()).find((c) => c.name === 'fixpoint_console')!;
    const before = await api<{ status: string }>(`/api/recommendations/${state.trainingRec}`);
    for (const headers of [{ origin: 'http://evil.example' }, { referer: 'http://evil.example/page' }, {}]) {
      const res = await fetch(`${base}/console/recommendations/${state.trainingRec}/cancel`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: `fixpoint_console=${cookie.value}`, 'content-type': 'application/x-www-form-urlencoded', ...(headers as Record<string, string>) },
        body: 'reason=csrf',
      });
      expect(res.status).toBe(403);
    }
    expect((await api<{ status: string }>(`/api/recommendations/${state.trainingRec}`)).status).toBe(before.status);
  });

  it('logs out', async () => {
    await page.goto(`${base}/console`);
    await page.click('form[action="/console/logout"] button');
    await page.waitForURL(/\/console\/login/);
    await page.goto(`${base}/console/calls`);
    expect(new URL(page.url()).pathname).toBe('/console/login');
  });
});
