import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.ts';
import { progressLine, runOptimizeCommand } from './optimize-command.ts';

const runId = '0193a0b0-0000-7000-8000-000000000001';
const patternId = '0193a0b0-0000-7000-8000-0000000000aa';
const current = { id: 'current', rejected: null, scores: { selection: { passed: 6, total: 20 } } };
const c1 = { id: 'c1', rejected: null, scores: { selection: { passed: 12, total: 20 } } };
const c2 = { id: 'c2', rejected: null, scores: { selection: { passed: 17, total: 20 } } };
const c3 = { id: 'c3', rejected: 'grew past the limit', scores: {} };
const base = { id: runId, result: null, seconds: null, winner_version_id: null };

/** What GET /api/optimizations/:id answers on each poll: queued, then a run that moves, then its end. */
const states = [
  { ...base, status: 'queued', eval_calls: 0, candidates: [] },
  { ...base, status: 'running', eval_calls: 20, candidates: [current] },
  { ...base, status: 'running', eval_calls: 40, candidates: [current, c1] },
  { ...base, status: 'running', eval_calls: 40, candidates: [current, c1] },
  { ...base, status: 'running', eval_calls: 60, candidates: [current, c1, c2, c3] },
  { ...base, status: 'accepted', result: 'c2 accepted', seconds: 12.5, eval_calls: 90, winner_version_id: 'v1', candidates: [current, c1, c2, c3] },
];

let server: Server;
let url: string;
let polls = 0;
const config = loadConfig({});

beforeAll(async () => {
  const app = new Hono();
  app.post('/api/patterns/:id/optimize', (c) => c.json({ id: runId, pattern_id: c.req.param('id'), status: 'queued' }, 202));
  app.get('/api/optimizations/:id', (c) => c.json(states[Math.min(polls++, states.length - 1)]));
  server = createServer(getRequestListener(app.fetch));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('fixpoint optimize --wait', () => {
  it('shows progress while it waits (candidates tried, replays used, best so far), then the outcome', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runOptimizeCommand([patternId, '--wait', '--url', url], config, (s) => out.push(s), (s) => err.push(s), 1);
    expect(code).toBe(0);
    expect(err[0]).toBe(`run ${runId} queued for pattern ${patternId}; waiting for it to end (Ctrl-C stops waiting, not the run)`);
    const progress = err.slice(1).map((l) => l.replace(/^ {2}\d+s {2}/, ''));
    // One line per change: the repeated poll printed nothing.
    expect(progress).toEqual([
      'queued: 0 candidates tried, 0 replays used',
      'running: 0 candidates tried, 20 replays used, current prompt selection 6/20',
      'running: 1 candidate tried, 40 replays used, best so far c1 selection 12/20 (current prompt 6/20)',
      'running: 3 candidates tried, 60 replays used, best so far c2 selection 17/20 (current prompt 6/20)',
    ]);
    expect(out.join('\n')).toContain(`run ${runId}: accepted — c2 accepted`);
  });

  it('puts a rejected candidate aside when choosing the best', () => {
    expect(progressLine({ ...base, status: 'running', eval_calls: 5, candidates: [current, c3] })).toBe('running: 1 candidate tried, 5 replays used, current prompt selection 6/20');
  });
});
