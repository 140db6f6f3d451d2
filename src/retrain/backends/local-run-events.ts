import type { StoredCheckpoint, StoredJobEvent, TrainingJobStatus } from '../../db/index.ts';
import type { BackendJob } from './training-backend.ts';

/**
 * The local trainer's progress (trainer/README.md, "Progress: JSON lines on stdout") turned into
 * OpenAI's fine-tuning job: pure functions over the text of a run's events.jsonl.
 */

/** One JSON line of the trainer's stdout; `line` is its 1-based line number in events.jsonl. */
export interface TrainerEvent {
  line: number;
  event: string;
  time: number;
  fields: Record<string, unknown>;
}

/** How the run's process stands when no final event was written (`cancelRequested`: cancel was asked for). */
export type RunProcessState = { alive: true } | { alive: false; stderrTail: string; cancelRequested?: boolean };

const finalEvents = new Set(['succeeded', 'failed', 'cancelled']);

/**
 * Every complete line of events.jsonl. The trainer may be writing the last line as we read, so text
 * after the final newline is left for the next poll; a complete line that is not a JSON event is
 * skipped (its line number stays unused, so the other events' ids do not move).
 */
export function parseEventLines(text: string): TrainerEvent[] {
  const end = text.lastIndexOf('\n');
  if (end < 0) return [];
  const out: TrainerEvent[] = [];
  text
    .slice(0, end)
    .split('\n')
    .forEach((raw, index) => {
      const parsed = parseLine(raw);
      if (parsed) out.push({ line: index + 1, ...parsed });
    });
  return out;
}

function parseLine(raw: string): Omit<TrainerEvent, 'line'> | null {
  if (raw.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const { event, time, ...fields } = value as Record<string, unknown>;
  if (typeof event !== 'string') return null;
  return { event, time: typeof time === 'number' ? time : 0, fields };
}

export function hasFinalEvent(events: readonly TrainerEvent[]): boolean {
  return events.some((e) => finalEvents.has(e.event));
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** Losses as people read them: 2.31, 0.042. */
export function formatLoss(v: unknown): string {
  const n = num(v);
  if (n === null) return 'n/a';
  return Math.abs(n) >= 0.1 ? n.toFixed(2) : n.toPrecision(2);
}

/** The job a run's events describe. `process` matters only while no final event exists. */
export function jobFromEvents(externalId: string, events: readonly TrainerEvent[], process: RunProcessState): BackendJob {
  let job: BackendJob = { status: 'validating_files', fineTunedModel: null, error: null, trainedTokens: null, events: [], checkpoints: [] };
  const context = { epochs: null as number | null, trainTokens: null as number | null, epochsDone: 0 };
  for (const e of events) {
    if (e.event === 'validated') context.trainTokens = num(e.fields['train_tokens']);
    if (e.event === 'started') context.epochs = num(e.fields['epochs']);
    if (e.event === 'epoch') context.epochsDone += 1;
    job.status = nextStatus(job.status, e.event);
    job.events.push(storedEvent(externalId, e, context.epochs));
    if (e.event === 'checkpoint') job.checkpoints.push(storedCheckpoint(externalId, e));
    if (e.event === 'succeeded') job.fineTunedModel = str(e.fields['adapter']);
    if (e.event === 'failed') job.error = { code: str(e.fields['code']) ?? 'error', message: failureMessage(e.fields) };
  }
  if (!hasFinalEvent(events) && !process.alive) job = withExit(externalId, job, events, process);
  if (isFinished(job.status) && context.trainTokens !== null && context.epochsDone > 0) job.trainedTokens = context.trainTokens * context.epochsDone;
  return job;
}

/**
 * The process is gone and wrote no final event: killed before it could (a SIGTERM before its
 * handler was installed counts as the cancel that was asked for), or crashed.
 */
function withExit(externalId: string, job: BackendJob, events: readonly TrainerEvent[], process: { stderrTail: string; cancelRequested?: boolean }): BackendJob {
  const at = Math.floor(events.at(-1)?.time ?? Date.now() / 1000);
  if (process.cancelRequested) {
    return { ...job, status: 'cancelled', events: [...job.events, { id: `${externalId}:exited`, at, level: 'warn', message: 'Training cancelled (stopped before the trainer could report it)' }] };
  }
  const message = exitedMessage(process.stderrTail);
  return {
    ...job,
    status: 'failed',
    error: { code: 'trainer_exited', message },
    events: [...job.events, { id: `${externalId}:exited`, at, level: 'error', message: `Training failed: ${message}` }],
  };
}

function isFinished(status: TrainingJobStatus): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'cancelled';
}

function nextStatus(current: TrainingJobStatus, event: string): TrainingJobStatus {
  if (isFinished(current)) return current;
  switch (event) {
    case 'validated':
      return 'queued';
    case 'started':
    case 'step':
    case 'epoch':
    case 'checkpoint':
      return 'running';
    case 'succeeded':
    case 'failed':
    case 'cancelled':
      return event;
    default:
      return current;
  }
}

function storedEvent(externalId: string, e: TrainerEvent, epochs: number | null): StoredJobEvent {
  const level = e.event === 'failed' ? 'error' : e.event === 'cancelled' ? 'warn' : 'info';
  return { id: `${externalId}:${e.line}`, at: Math.floor(e.time), level, message: eventMessage(e, epochs), data: { event: e.event, ...e.fields } };
}

function storedCheckpoint(externalId: string, e: TrainerEvent): StoredCheckpoint {
  const step = num(e.fields['step']) ?? 0;
  return {
    id: `${externalId}:checkpoint-${step}`,
    step,
    metrics: { train_loss: num(e.fields['train_loss']), valid_loss: num(e.fields['valid_loss']), epoch: num(e.fields['epoch']) },
    model: str(e.fields['path']),
  };
}

/** The failure as the trainer put it; its message already names the file and line of a bad row, added here if not. */
function failureMessage(fields: Record<string, unknown>): string {
  const error = str(fields['error']) ?? 'the trainer failed';
  const file = str(fields['file']);
  const line = num(fields['line']);
  if (file && line !== null && !error.includes(`line ${line}`)) return `${file}, line ${line}: ${error}`;
  return error;
}

const STDERR_MESSAGE_CHARS = 2000;

function exitedMessage(stderrTail: string): string {
  const tail = stderrTail.trim();
  const bounded = tail.length > STDERR_MESSAGE_CHARS ? `…${tail.slice(-STDERR_MESSAGE_CHARS)}` : tail;
  return bounded ? `the trainer exited without a final event; stderr ends: ${bounded}` : 'the trainer exited without a final event (stderr is empty)';
}

function eventMessage(e: TrainerEvent, epochs: number | null): string {
  const f = e.fields;
  switch (e.event) {
    case 'validated': {
      const valid = num(f['validation_rows']);
      return `Files validated: ${num(f['train_rows']) ?? '?'} training rows (${num(f['train_rows_used']) ?? '?'} used)` + (valid !== null ? `, ${valid} validation rows` : '') + `; chat template: ${str(f['chat_template']) ?? '?'}`;
    }
    case 'started': {
      const device = f['device'] && typeof f['device'] === 'object' ? str((f['device'] as Record<string, unknown>)['type']) : null;
      return `Training started on ${device ?? 'an unknown device'}: ${num(f['total_steps']) ?? '?'} steps over ${num(f['epochs']) ?? '?'} epochs, ${num(f['trainable_params']) ?? '?'} trainable parameters`;
    }
    case 'step':
      return `Step ${num(f['step']) ?? '?'}/${num(f['total_steps']) ?? '?'}: loss ${formatLoss(f['loss'])}`;
    case 'epoch':
      return `Epoch ${num(f['epoch']) ?? '?'}${epochs !== null ? `/${epochs}` : ''} done: train loss ${formatLoss(f['train_loss'])}, valid loss ${formatLoss(f['valid_loss'])}`;
    case 'checkpoint':
      return `Checkpoint at step ${num(f['step']) ?? '?'} (epoch ${num(f['epoch']) ?? '?'}): valid loss ${formatLoss(f['valid_loss'])}, adapter saved`;
    case 'succeeded':
      return `Training succeeded: best epoch ${num(f['best_epoch']) ?? '?'} (loss ${formatLoss(f['best_loss'])}), ${num(f['steps']) ?? '?'} steps in ${num(f['train_seconds']) ?? '?'} s`;
    case 'failed':
      return `Training failed: ${failureMessage(f)}`;
    case 'cancelled':
      return `Training cancelled${num(f['signal']) !== null ? ` (signal ${num(f['signal'])})` : ''}`;
    default:
      return `Trainer event ${e.event}`;
  }
}
