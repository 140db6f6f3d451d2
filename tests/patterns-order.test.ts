/**
 * Issue 20, item 1: `fixpoint patterns` is largest-first over all patterns, not a sorted sample.
 * GET /api/patterns orders on the server (`sort`, default failures in the last 24 h) and pages with a
 * keyset cursor on (sort value, id); the CLI asks for that order and prints it as it comes.
 * Pattern ids are chosen so that the id order is the reverse of the size order: an API that orders
 * by id shows the smallest patterns first.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { getRequestListener } from '@hono/node-server';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../src/config/index.ts';
import { patterns, type Database, type StoredPatternStats } from '../src/db/index.ts';
import { createApp } from '../src/ingress/app.ts';
import type { IngressDeps } from '../src/ingress/index.ts';
import { runPatternsCommand } from '../src/main/patterns-command.ts';
import { openMigratedTestDatabase } from './support/test-database.ts';

const ADMIN = 'admin-token-patterns-order-0123456789';
const component = `order-${randomBytes(3).toString('hex')}`;
const other = `${component}-other`;
const N = 60;
const BASE = Date.parse('2026-12-01T00:00:00.000Z');

let database: Database;
let closeDatabase: (() => Promise<void>) | undefined;
let config: Config;
let server: Server;
let url: string;

interface Seeded {
  id: string;
  h24: number | null;
  failures: number;
  /** Microseconds after BASE (last_seen), and milliseconds after BASE (created_at). */
  lastSeenUs: number;
  createdMs: number;
}
const seeded: Seeded[] = [];

/** The i-th id: ids ascend with i. */
const idOf = (i: number, prefix = '0000'): string => `${prefix}0000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

function stats(h24: number): StoredPatternStats {
  return { windows: { h1: 0, h24, d7: h24 }, componentCalls: { h1: 0, h24: 1000, d7: 1000 }, share24h: h24 / 1000, rateLowerBound: 0, hoursSeen: 1, hoursWithTraffic: 1, sessions: 1, users: 1, unmet: [] };
}

beforeAll(async () => {
  ({ database, close: closeDatabase } = await openMigratedTestDatabase());
  config = loadConfig({ FIXPOINT_ADMIN_TOKEN: ADMIN, LOG_LEVEL: 'silent' });
  for (let i = 0; i < N; i++) {
    // Larger with every step down in id; ties in threes; the last six have no statistics yet (count 0).
    const s: Seeded = {
      id: idOf(i),
      h24: i >= N - 6 ? null : 1000 - 10 * Math.floor(i / 3),
      failures: 5000 - 7 * ((i * 37) % N),
      // Same millisecond for groups of four, apart by microseconds (the cursor must keep them apart).
      lastSeenUs: Math.floor(((i * 13) % N) / 4) * 1000 + (i % 4),
      createdMs: ((i * 29) % N) * 60_000,
    };
    seeded.push(s);
    await database.db.insert(patterns).values({
      id: s.id, component, kind: 'rule', ruleId: 'label', shape: `shape ${i}`, title: `pattern ${i}`, summary: 's', space: 'local',
      centroid: { idx: [0], val: [1] }, centroidNorm2: 1, failureCount: s.failures,
      firstSeen: new Date(BASE), lastSeen: new Date(BASE), createdAt: new Date(BASE + s.createdMs),
      stats: s.h24 === null ? null : stats(s.h24), statsAt: s.h24 === null ? null : new Date(),
    });
    await database.db.execute(sql`update patterns set last_seen = last_seen + cast(${`${s.lastSeenUs} microseconds`} as interval) where id = ${s.id}`);
  }
  // Another component's far larger pattern stays out of a component's list.
  await database.db.insert(patterns).values({
    id: idOf(0, 'ffff'), component: other, kind: 'rule', ruleId: 'label', shape: 'x', title: 'other', summary: 's', space: 'local',
    centroid: { idx: [0], val: [1] }, centroidNorm2: 1, failureCount: 99_999, firstSeen: new Date(BASE), lastSeen: new Date(BASE), stats: stats(99_999), statsAt: new Date(),
  });
  const listener = getRequestListener(app().fetch);
  server = createServer((req, res) => void listener(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await closeDatabase?.();
});

// The admin routes through the gateway's app (auth, error mapping), without the proxy handlers.
const app = () => createApp({ config, database, logger: pino({ level: 'silent' }), schema: { migrated: true, lastError: null } } as unknown as IngressDeps, new Map());

interface Page {
  data: { id: string; failure_count: number; stats: StoredPatternStats | null; last_seen: string }[];
  next_cursor: string | null;
  sort?: string;
}

async function get(query: string): Promise<{ status: number; body: Page & { error?: { message: string; param?: string } } }> {
  const res = await app().request(`/api/patterns?${query}`, { headers: { authorization: `Bearer ${ADMIN}` } });
  return { status: res.status, body: (await res.json()) as Page & { error?: { message: string; param?: string } } };
}

/** Every page of one order, as ids. */
async function pageThrough(sort: string | null, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const q = new URLSearchParams({ component, limit: String(limit) });
    if (sort) q.set('sort', sort);
    if (cursor) q.set('cursor', cursor);
    const { status, body } = await get(q.toString());
    expect(status).toBe(200);
    expect(body.data.length).toBeLessThanOrEqual(limit);
    ids.push(...body.data.map((p) => p.id));
    cursor = body.next_cursor;
    if (cursor === null) return ids;
  }
  throw new Error('paging did not end');
}

const byDesc = (key: (s: Seeded) => number) => [...seeded].sort((a, b) => key(b) - key(a) || (a.id < b.id ? 1 : -1)).map((s) => s.id);
/** The whole expected order of each sort (of the patterns seeded in beforeAll). */
const expected = {
  get failures_24h() {
    return byDesc((s) => s.h24 ?? 0);
  },
  get failures() {
    return byDesc((s) => s.failures);
  },
  get last_seen() {
    return byDesc((s) => s.lastSeenUs);
  },
  get created() {
    return byDesc((s) => s.createdMs);
  },
};

describe('GET /api/patterns orders on the server', () => {
  it('by default, the first page is the largest patterns by failures in the last 24 h', async () => {
    const { status, body } = await get(`component=${component}`);
    expect(status).toBe(200);
    expect(body.sort).toBe('failures_24h');
    expect(body.data.map((p) => p.id)).toEqual(expected.failures_24h.slice(0, 50));
    expect(body.data[0]?.stats?.windows.h24).toBe(1000);
    expect(body.next_cursor).not.toBeNull();
  });

  it.each([
    ['failures_24h', 7],
    ['failures', 11],
    ['last_seen', 3],
    ['created', 50],
  ] as const)('pages through sort=%s (limit %i) in order: no pattern skipped or repeated, ties split by id', async (sort, limit) => {
    const ids = await pageThrough(sort, limit);
    expect(ids).toEqual(expected[sort]);
  });

  it('pages the default order the same without naming it', async () => {
    expect(await pageThrough(null, 9)).toEqual(expected.failures_24h);
  });

  it('applies the filters before the order', async () => {
    const { body } = await get('limit=1');
    expect(body.data[0]?.id).toBe(idOf(0, 'ffff'));
    const { body: mine } = await get(`component=${component}&sort=failures&limit=1`);
    expect(mine.data[0]?.id).toBe(expected.failures[0]);
  });

  it('answers 400 naming sort for an unknown order, and cursor for a cursor of another order or none at all', async () => {
    const unknown = await get(`component=${component}&sort=biggest`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error?.param).toBe('sort');
    expect(unknown.body.error?.message).toMatch(/^sort: must be one of failures_24h, failures, last_seen, created/);

    const first = await get(`component=${component}&sort=failures&limit=5`);
    const crossed = await get(`component=${component}&sort=last_seen&cursor=${first.body.next_cursor}`);
    expect(crossed.status).toBe(400);
    expect(crossed.body.error?.param).toBe('cursor');
    expect(crossed.body.error?.message).toContain('sorted by failures');

    for (const bad of [idOf(3), 'not-a-cursor', Buffer.from(JSON.stringify(['failures', '1; drop table patterns', idOf(1)])).toString('base64url')]) {
      const res = await get(`component=${component}&sort=failures&cursor=${encodeURIComponent(bad)}`);
      expect(res.status).toBe(400);
      expect(res.body.error?.param).toBe('cursor');
    }
  });
});

describe('fixpoint patterns', () => {
  async function table(args: string[]): Promise<{ code: number; ids: string[]; text: string; errors: string }> {
    const lines: string[] = [];
    const errors: string[] = [];
    const code = await runPatternsCommand([...args, '--component', component, '--url', url], config, (s) => lines.push(s), (s) => errors.push(s));
    const text = lines.join('\n');
    const ids = text
      .split('\n')
      .slice(1)
      .map((l) => l.split(/\s+/)[0] ?? '');
    return { code, ids, text, errors: errors.join('\n') };
  }

  it('prints the largest patterns by failures in the last 24 h, as the gateway ordered them', async () => {
    const { code, ids } = await table(['--limit', '5']);
    expect(code).toBe(0);
    expect(ids).toEqual(expected.failures_24h.slice(0, 5));
  });

  it('asks the gateway for --sort', async () => {
    expect((await table(['--limit', '4', '--sort', 'failures'])).ids).toEqual(expected.failures.slice(0, 4));
    expect((await table(['--limit', '4', '--sort', 'last_seen'])).ids).toEqual(expected.last_seen.slice(0, 4));
    const bad = await table(['--sort', 'size']);
    expect(bad.code).toBe(1);
    // Errors go to stderr, the table to stdout.
    expect(bad.errors).toMatch(/400 sort: must be one of/);
    expect(bad.text).toBe('');
  });
});
