import { describe, expect, it } from 'vitest';
import { formatLoss, jobFromEvents, parseEventLines } from './local-run-events.ts';
import { servedAdapterPath, trainArgv } from './local-backend.ts';

const line = (o: Record<string, unknown>) => `${JSON.stringify({ time: 1700000000.5, ...o })}\n`;
const alive = { alive: true } as const;

describe('local run events', () => {
  it('leaves a partial last line for the next poll, and keeps ids stable past a line that is not an event', () => {
    const text = line({ event: 'validated', train_rows: 4, train_rows_used: 4, chat_template: 'default' }) + 'not json\n' + line({ event: 'started', epochs: 1, total_steps: 2 }) + '{"event": "st';
    const events = parseEventLines(text);
    expect(events.map((e) => [e.line, e.event])).toEqual([
      [1, 'validated'],
      [3, 'started'],
    ]);
    const job = jobFromEvents('run-1', events, alive);
    expect(job.status).toBe('running');
    expect(job.events.map((e) => e.id)).toEqual(['run-1:1', 'run-1:3']);
    expect(job.events[0]?.at).toBe(1700000000);
    expect(parseEventLines('{"event": "validated"')).toEqual([]);
  });

  it('maps the statuses: nothing yet → validating_files, validated → queued, a final event wins', () => {
    expect(jobFromEvents('r', [], alive).status).toBe('validating_files');
    expect(jobFromEvents('r', parseEventLines(line({ event: 'validated' })), alive).status).toBe('queued');
    const done = parseEventLines(line({ event: 'validated', train_tokens: 100 }) + line({ event: 'epoch', epoch: 1 }) + line({ event: 'epoch', epoch: 2 }) + line({ event: 'succeeded', adapter: '/runs/r/adapter' }));
    const job = jobFromEvents('r', done, { alive: false, stderrTail: 'ignored: the run finished' });
    expect(job).toMatchObject({ status: 'succeeded', fineTunedModel: '/runs/r/adapter', trainedTokens: 200, error: null });
  });

  it('names the file and line of a bad row when the trainer message lacks them', () => {
    const events = parseEventLines(line({ event: 'failed', code: 'invalid_dataset', error: 'weight: must be 0 or 1', file: 'train.jsonl', line: 7 }));
    expect(jobFromEvents('r', events, alive).error).toEqual({ code: 'invalid_dataset', message: 'train.jsonl, line 7: weight: must be 0 or 1' });
  });

  it('a process gone without a final event fails the job with a bounded stderr tail', () => {
    const job = jobFromEvents('r', parseEventLines(line({ event: 'validated' })), { alive: false, stderrTail: `${'x'.repeat(5000)}\nKilled\n` });
    expect(job.status).toBe('failed');
    expect(job.error?.code).toBe('trainer_exited');
    expect(job.error?.message).toMatch(/Killed$/);
    expect(job.error?.message.length).toBeLessThan(2100);
    expect(job.events.at(-1)).toMatchObject({ id: 'r:exited', level: 'error' });
    const cancelled = jobFromEvents('r', [], { alive: false, stderrTail: '', cancelRequested: true });
    expect(cancelled).toMatchObject({ status: 'cancelled', error: null });
    expect(cancelled.events.at(-1)?.level).toBe('warn');
  });

  it('formats losses and builds the command line with the configured arguments last', () => {
    expect([formatLoss(2.3149), formatLoss(0.04213), formatLoss(null)]).toEqual(['2.31', '0.042', 'n/a']);
    const argv = trainArgv(
      { jobId: 'j', files: { train: 't.jsonl', validation: null }, baseModel: 'b', suffix: 's', hyperparameters: { epochs: 2, learningRate: 1e-4 } },
      '/runs/j',
      ['--epochs', '3'],
    );
    expect(argv).toEqual(['-m', 'fixpoint_trainer', 'train', '--dataset', 't.jsonl', '--base', 'b', '--out', '/runs/j', '--epochs', '2', '--lr', '0.0001', '--epochs', '3']);
    expect(servedAdapterPath('/data/runs', '/srv/runs', '/data/runs/j/adapter')).toBe('/srv/runs/j/adapter');
    expect(servedAdapterPath('/data/runs', undefined, '/data/runs/j/adapter')).toBe('/data/runs/j/adapter');
    expect(() => servedAdapterPath('/data/runs', '/srv/runs', '/elsewhere/adapter')).toThrow(/retrain.local.serveDir/);
  });
});
