import path from 'node:path';
import type { Config } from '../config/index.ts';
import type { Db } from '../db/index.ts';
import { createCallChecker, reportRuleErrors } from '../evaluate/index.ts';
import type { JobSystem } from '../jobs/index.ts';
import { createPriceLookup, type ProviderRegistry } from '../providers/index.ts';
import type { Logger, Metrics } from '../telemetry/index.ts';
import { createLocalBackend } from './backends/local-backend.ts';
import { createOpenAIBackend } from './backends/openai-backend.ts';
import type { TrainingBackend } from './backends/training-backend.ts';
import { cancelRecommendation } from './cancel.ts';
import { buildDataset, countTrustedExamples, createDatasetJudge } from './dataset/index.ts';
import type { RetrainDeps } from './deps.ts';
import { evaluateTuned } from './evaluate-tuned.ts';
import { pollTraining } from './poll-training.ts';
import { sendNotification } from './send-notification.ts';
import { startTraining } from './start-training.ts';
import { sweepRetrain } from './sweep.ts';

/** The retrain stage's jobs. Training itself runs at the backend; these only start, poll and judge it. */
export function registerRetrainHandlers(jobs: JobSystem, base: { config: Config; db: Db; registry: ProviderRegistry; metrics: Metrics; logger: Logger; announcePrompts: () => Promise<void> }): void {
  const deps = retrainDeps(jobs, base);
  jobs.handle('retrain.sweep', async () => sweepRetrain(deps));
  jobs.handle('retrain.notify', async ({ recommendationId, eventId }, ctx) => sendNotification(deps, recommendationId, eventId, ctx.signal), { concurrency: 4 });
  jobs.handle('retrain.train', async ({ recommendationId }, ctx) => startTraining(deps, recommendationId, ctx.signal));
  jobs.handle('retrain.poll', async ({ trainingJobId }, ctx) => pollTraining(deps, trainingJobId, ctx.signal), { concurrency: 4 });
  jobs.handle('retrain.cancel', async ({ recommendationId }) => cancelRecommendation(deps, recommendationId));
  jobs.handle('retrain.evaluate', async ({ recommendationId }, ctx) => evaluateTuned(deps, recommendationId, ctx.signal));
}

function retrainDeps(jobs: JobSystem, base: Parameters<typeof registerRetrainHandlers>[1]): RetrainDeps {
  const { config } = base;
  const settings = config.file.retrain;
  const dir = path.resolve(settings.dir ?? path.join(config.env.FIXPOINT_DATA_DIR, 'retrain'));
  const prices = createPriceLookup(config.file.prices);
  const check = createCallChecker(config, reportRuleErrors(base));
  const backends = new Map<string, TrainingBackend>();
  const backend = (name: string): TrainingBackend => {
    let b = backends.get(name);
    if (!b) {
      b =
        name === 'local'
          ? createLocalBackend({ python: settings.local.python, args: settings.local.args, runsDir: path.join(dir, 'runs'), registry: base.registry, ...(settings.local.serveProvider ? { serveProvider: settings.local.serveProvider } : {}), ...(settings.local.serveDir ? { serveDir: settings.local.serveDir } : {}) })
          : createOpenAIBackend({ registry: base.registry, providerName: settings.openai.provider });
      backends.set(name, b);
    }
    return b;
  };
  const deps: RetrainDeps = {
    ...base,
    settings,
    jobs,
    prices,
    check,
    backend,
    dir,
    countExamples: (db, q) => countTrustedExamples(db, { ...q, minExamples: settings.minExamples }),
    buildDataset: (q, signal) => {
      const judge = config.file.components[q.component]?.judge;
      return buildDataset(
        { db: base.db, registry: base.registry, prices, check, judge: judge ? createDatasetJudge({ registry: base.registry, prices }, judge) : null, dataDir: config.env.FIXPOINT_DATA_DIR, ...(signal ? { signal } : {}) },
        { ...q, settings },
      );
    },
  };
  return deps;
}
