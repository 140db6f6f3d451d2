/**
 * Where the gateway's CPU goes, as an operator sees it: the recorder's and the embedded database's
 * threads carry names (`top -H`, `ps -L`), and `fixpoint_thread_cpu_seconds_total{thread}` splits the
 * process's CPU between the proxying thread, those two and the rest.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, startHarness, type Harness } from './support/gateway.ts';
import { completionBody } from './support/completions.ts';

const threadNames = () => readdirSync('/proc/self/task').map((tid) => readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim());
const metric = (text: string, name: string) => {
  const values = new Map<string, number>();
  for (const m of text.matchAll(new RegExp(`^${name}\\{thread="(\\w+)"\\} (\\S+)$`, 'gm'))) values.set(m[1] as string, Number(m[2]));
  return values;
};

describe.skipIf(process.platform !== 'linux')('thread CPU, embedded gateway (as `npm start` runs it)', () => {
  let h: Harness;
  const processName = readFileSync('/proc/self/comm', 'utf8');

  beforeAll(async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'fixpoint-thread-cpu-'));
    h = await startHarness({ DATABASE_URL: undefined, REDIS_URL: undefined }, { db: { url: undefined, dataDir, drop: async () => {} } });
  });
  afterAll(async () => h?.close());

  it("names the recorder's and the database's threads, and counts each one's CPU", async () => {
    const client = clientFor(h);
    for (let i = 0; i < 40; i++) {
      h.fake.enqueue({ path: '/v1/chat/completions', body: completionBody(`answer ${i}`) });
      await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `question ${i}` }] });
    }
    await h.gateway.deps.recorder.flush();
    expect(threadNames()).toEqual(expect.arrayContaining(['fixpoint-rec', 'fixpoint-db']));
    expect(readFileSync('/proc/self/comm', 'utf8')).toBe(processName); // the process keeps its name

    const text = await (await fetch(`${h.gateway.url}/metrics`)).text();
    const byThread = metric(text, 'fixpoint_thread_cpu_seconds_total');
    expect([...byThread.keys()].sort()).toEqual(['database', 'main', 'other', 'recorder']);
    // The database's thread opened PGlite and ran every migration; the recorder's loaded its code and stored 40 calls.
    expect(byThread.get('database')).toBeGreaterThan(0.05);
    expect(byThread.get('recorder')).toBeGreaterThan(0);
    expect(byThread.get('main')).toBeGreaterThan(0);
    // Live threads only, counted in 10 ms ticks: never more than the process's CPU since it started.
    const usage = process.cpuUsage();
    const processCpu = (usage.user + usage.system) / 1e6;
    const sum = [...byThread.values()].reduce((a, b) => a + b, 0);
    expect(sum).toBeLessThanOrEqual(processCpu + 0.05 * byThread.size);
  });
});
