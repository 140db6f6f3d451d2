import { z } from 'zod';

/** Hyperparameters a backend passes on (OpenAI's names where they exist); unset means the backend's default. */
const hyperparametersSchema = z
  .object({
    epochs: z.number().int().positive().max(50).optional(),
    learningRate: z.number().positive().optional(),
    batchSize: z.number().int().positive().optional(),
  })
  .strict();

/** Weight fine-tuning (the `retrain:` section of FIXPOINT_CONFIG): when a pattern becomes a candidate, and what follows. */
export const retrainSchema = z
  .object({
    /**
     * Judged "could not fix" runs of prompt optimization after which a pattern counts as one the
     * model lacks something for: its diagnosis turns knowledge and its remedy fine-tuning, whatever
     * the diagnosis said before (the seed's rule, which holds when the diagnosis is unsure or wrong).
     */
    afterFailedPromptRuns: z.number().int().positive().default(2),
    /** An accepted prompt that fixed a pattern only by growing past this (1 = doubled) makes it a candidate: bake it into the weights. */
    bakeGrowth: z.number().positive().default(1),
    /** Hours a pattern is not recommended again after a recommendation on it ended (promoted, rejected, failed, dismissed); a promoted one that regresses comes back at once. */
    cooldownHours: z.number().positive().default(72),
    /** Failure cases with a trusted target a component needs before its recommendation is `open` (fewer: `needs_examples`). */
    minExamples: z.number().int().positive().default(50),
    /** What one failure costs the business, US dollars: the recommendation's arithmetic weighs failures per day by it. */
    costPerFailureUsd: z.number().min(0).default(0.05),
    /** At least this share of the training rows are the component's passing calls (so the model keeps what works). */
    replayShare: z.number().min(0).max(0.9).default(0.5),
    /** Rows a dataset holds at most (failure cases first). */
    maxRows: z.number().int().positive().default(5000),
    /** Shares of sessions held out for validation and for the evaluation gate (never trained on). */
    splits: z
      .object({ validation: z.number().min(0).max(0.5).default(0.1), gate: z.number().gt(0).max(0.5).default(0.2) })
      .strict()
      .default({ validation: 0.1, gate: 0.2 }),
    /** A model whose outputs become targets where nothing better exists — only those that pass the component's checks, rules and judge. */
    teacher: z.string().min(1).optional(),
    /** Applied to every text before it leaves the database (dataset files, uploads). */
    redact: z
      .object({
        email: z.boolean().default(true),
        phone: z.boolean().default(true),
        /** Extra regular expressions (JavaScript syntax, matched globally); each match becomes `[redacted]`. */
        patterns: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .default({ email: true, phone: true, patterns: [] }),
    /** Where dataset files and local training runs go; default `<FIXPOINT_DATA_DIR>/retrain`. */
    dir: z.string().min(1).optional(),
    /** Which backend trains: `openai` (files + fine-tuning jobs API of a provider) or `local` (the trainer in trainer/). */
    backend: z.enum(['openai', 'local']).default('openai'),
    /** The model to tune; default: the model the component's calls use most. */
    baseModel: z.string().min(1).optional(),
    hyperparameters: hyperparametersSchema.default({}),
    openai: z
      .object({
        /** The configured provider whose files and fine-tuning API trains (and then serves the tuned model). */
        provider: z.string().min(1).default('openai'),
        /** Suffix of the tuned model's name (OpenAI allows up to 64 characters). */
        suffix: z.string().min(1).max(64).default('fixpoint'),
      })
      .strict()
      .default({ provider: 'openai', suffix: 'fixpoint' }),
    local: z
      .object({
        /** The trainer's Python (the venv trainer/setup.sh makes). */
        python: z.string().min(1).default('trainer/.venv/bin/python'),
        /** Extra arguments to `python -m fixpoint_trainer train` (e.g. ["--max-length", "1024"]). */
        args: z.array(z.string()).default([]),
        /** The configured provider (a vLLM server with LoRA enabled) that serves tuned adapters; the tuned model is `<provider>/<adapter>`. */
        serveProvider: z.string().min(1).optional(),
        /** The local runs directory (`<retrain.dir>/runs`) as the serving host sees it, when it differs from the worker's (a shared volume mounted elsewhere): adapters are at `<serveDir>/<job id>/adapter`. */
        serveDir: z.string().min(1).optional(),
      })
      .strict()
      .default({ python: 'trainer/.venv/bin/python', args: [] }),
    /** Estimates for the arithmetic: training price per 1,000 trained tokens, and extra serving cost per day of the tuned model. */
    estimate: z
      .object({
        trainingUsdPer1kTokens: z.number().min(0).default(0.008),
        servingUsdPerDay: z.number().min(0).default(0),
      })
      .strict()
      .default({ trainingUsdPer1kTokens: 0.008, servingUsdPerDay: 0 }),
    /** The tuned model against the current one on the gate set: the same paired rule as prompts. */
    evaluation: z
      .object({
        margin: z.number().gt(0).lt(1).default(0.1),
        alpha: z.number().gt(0).lt(0.5).default(0.05),
        regressionTolerance: z.number().min(0).lt(1).default(0.02),
        /** Gate cases replayed at most, per side. */
        maxCases: z.number().int().positive().default(200),
      })
      .strict()
      .default({ margin: 0.1, alpha: 0.05, regressionTolerance: 0.02, maxCases: 200 }),
    /** Share of sessions the tuned model's canary takes (0: leave the version a candidate). */
    canaryShare: z.number().min(0).max(1).default(0.1),
    /** Job status polling: first interval and the cap of its backoff, milliseconds. */
    pollMs: z.number().int().positive().default(5000),
    maxPollMs: z.number().int().positive().default(60_000),
    /** Approve open recommendations by policy (no person), within the daily spend cap. */
    auto: z.boolean().default(false),
    /** Estimated training spend auto-approval may commit per day, US dollars. */
    autoSpendCapUsdPerDay: z.number().min(0).default(50),
    webhook: z
      .object({
        /** Where new and changed recommendations are posted (Slack-compatible `text` plus the recommendation). */
        url: z.url().optional(),
        /** Signs each body: header `x-fixpoint-signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`. Prefer FIXPOINT_WEBHOOK_SECRET. */
        secret: z.string().min(16).optional(),
        timeoutMs: z.number().int().positive().default(5000),
      })
      .strict()
      .default({ timeoutMs: 5000 }),
  })
  .strict();

export type RetrainSettings = z.infer<typeof retrainSchema>;
