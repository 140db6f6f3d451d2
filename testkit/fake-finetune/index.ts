/**
 * A stateful fake of OpenAI's Files and Fine-tuning jobs APIs on 127.0.0.1 (real sockets), served by
 * the fake upstream, so one provider both trains and answers: chat requests naming a succeeded job's
 * `ft:` model are answered by what `learn` made of its training rows (null: as the base model).
 *
 *   POST /v1/files (multipart)              GET /v1/files/:id[/content]
 *   POST /v1/fine_tuning/jobs               GET /v1/fine_tuning/jobs[/:id]
 *   GET  /v1/fine_tuning/jobs/:id/events    GET /v1/fine_tuning/jobs/:id/checkpoints (paged, newest first)
 *   POST /v1/fine_tuning/jobs/:id/cancel
 */
import { startFakeUpstream, type FakeResponder } from '../fake-upstream/index.ts';
import { createFileStore } from './file-store.ts';
import { JobEngine } from './job-engine.ts';
import { fineTuningRoute } from './routes.ts';
import type { FakeFineTuning, FakeFineTuningOptions } from './types.ts';

export type { FailMatch, FakeFileRecord, FakeFineTuning, FakeFineTuningOptions, FakeJobRecord, Learn, LearnedJob, LearnedModel, PlannedFailure, TrainingMessage, TrainingRow } from './types.ts';
export { learnByHeart } from './learn-by-heart.ts';

export async function startFakeFineTuning(opts: FakeFineTuningOptions = {}): Promise<FakeFineTuning> {
  const files = createFileStore();
  const engine = new JobEngine({
    files,
    tickMs: opts.tickMs ?? 50,
    manual: opts.manual ?? false,
    steps: opts.steps ?? 4,
    checkpointEvery: opts.checkpointEvery ?? 2,
    minExamples: opts.minExamples ?? 10,
    learn: opts.learn,
  });
  const base = opts.responder;
  const responder: FakeResponder = {
    chat(body) {
      const model = body['model'];
      const tuned = typeof model === 'string' ? engine.learned.get(model) : undefined;
      return tuned?.(body) ?? base?.chat?.(body) ?? null;
    },
  };
  if (base?.embed) responder.embed = base.embed.bind(base);

  const upstream = await startFakeUpstream({ ...opts, responder, route: fineTuningRoute({ files, engine, apiKey: opts.apiKey }) });
  const copy = <T>(x: T): T => structuredClone(x);
  return {
    ...upstream,
    jobs: () => engine.list().reverse().map((s) => copy({ job: s.job, events: s.events, checkpoints: s.checkpoints, request: s.request })),
    files: () => files.all().map(copy),
    failNext: (error, match) => engine.failNext(error, match),
    hold: (o) => engine.hold(o?.afterStep ?? 1),
    release: () => engine.release(),
    tick: () => engine.tick(),
    close: async () => {
      engine.close();
      await upstream.close();
    },
  };
}
