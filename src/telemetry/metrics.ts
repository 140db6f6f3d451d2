import { Counter, Gauge, Histogram, collectDefaultMetrics, type Registry } from 'prom-client';
import { SeriesCounter, SeriesHistogram } from './series-metrics.ts';
import { threadCpuSecondsByRole } from '../core/os-threads.ts';

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** Training runs: one minute to a day. */
const trainingBuckets = [60, 300, 600, 1800, 3600, 7200, 14_400, 28_800, 86_400];
const overheadBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1];

/** Every metric of the gateway and the worker, registered on the given registry. */
export function createMetrics(registry: Registry, opts: { defaultMetrics?: boolean } = {}) {
  if (opts.defaultMetrics !== false) {
    collectDefaultMetrics({ register: registry, prefix: 'fixpoint_' });
    registerThreadCpu(registry);
  }
  const registers = [registry];
  const callLabels = ['route', 'provider', 'model', 'component', 'status'] as const;
  return {
    registry,
    /** Bounded label values for client-supplied strings (component names, model names, rule ids). */
    label: { component: createLabelBound(200), model: createLabelBound(200), rule: createLabelBound(500) },
    // The per-call metrics are observed through cached series handles (series-metrics.ts).
    requests: new SeriesCounter({ name: 'fixpoint_requests_total', help: 'Calls through the gateway', labelNames: callLabels, registers }),
    requestDuration: new SeriesHistogram({
      name: 'fixpoint_request_duration_seconds',
      help: 'Total call latency as the client sees it (to the last byte)',
      labelNames: callLabels,
      buckets: latencyBuckets,
      registers,
    }),
    upstreamDuration: new SeriesHistogram({
      name: 'fixpoint_upstream_duration_seconds',
      help: 'Upstream latency (request sent to last byte received)',
      labelNames: ['route', 'provider', 'model'] as const,
      buckets: latencyBuckets,
      registers,
    }),
    overhead: new SeriesHistogram({
      name: 'fixpoint_gateway_overhead_seconds',
      help: 'Gateway overhead: total latency minus upstream latency',
      labelNames: ['route'] as const,
      buckets: overheadBuckets,
      registers,
    }),
    timeToFirstToken: new SeriesHistogram({
      name: 'fixpoint_time_to_first_token_seconds',
      help: 'Streams: time from request to the first chunk written to the client',
      labelNames: ['route', 'provider', 'model'] as const,
      buckets: latencyBuckets,
      registers,
    }),
    tokens: new SeriesCounter({
      name: 'fixpoint_tokens_total',
      help: 'Tokens used, by direction (input, output)',
      labelNames: ['provider', 'model', 'component', 'direction'] as const,
      registers,
    }),
    cost: new SeriesCounter({
      name: 'fixpoint_cost_usd_total',
      help: 'Estimated cost in US dollars from the price table',
      labelNames: ['provider', 'model', 'component'] as const,
      registers,
    }),
    inflight: new Gauge({ name: 'fixpoint_inflight_requests', help: 'Calls in progress', registers }),
    upstreamAttempts: new SeriesCounter({
      name: 'fixpoint_upstream_attempts_total',
      help: 'Upstream attempts by provider and outcome (success, http_error, retryable_status, connect_error, timeout, breaker_open, client_abort)',
      labelNames: ['provider', 'outcome'] as const,
      registers,
    }),
    upstreamRetries: new SeriesCounter({
      name: 'fixpoint_upstream_retries_total',
      help: 'Attempts that repeated a failed one on the same model, by provider and why (connect_error, timeout, retryable_status)',
      labelNames: ['provider', 'reason'] as const,
      registers,
    }),
    upstreamFallbacks: new SeriesCounter({
      name: 'fixpoint_upstream_fallbacks_total',
      help: 'Calls that moved on to a fallback model, by the provider that failed and the one tried next',
      labelNames: ['from_provider', 'to_provider'] as const,
      registers,
    }),
    upstreamRetryBudgetExhausted: new SeriesCounter({
      name: 'fixpoint_upstream_retry_budget_exhausted_total',
      help: 'Retries not made because the provider\'s retry budget was spent',
      labelNames: ['provider'] as const,
      registers,
    }),
    upstreamBreakerState: new Gauge({
      name: 'fixpoint_upstream_breaker_state',
      help: 'Circuit breaker of each provider: 0 closed, 1 half-open, 2 open',
      labelNames: ['provider'] as const,
      registers,
    }),
    connectionsRefused: new Counter({ name: 'fixpoint_connections_refused_total', help: 'Client connections closed on arrival: FIXPOINT_MAX_CONNECTIONS were open', registers }),
    recordQueueDepth: new Gauge({ name: 'fixpoint_record_queue_depth', help: 'Records waiting in memory for the database', registers }),
    recordBatchSize: new Histogram({
      name: 'fixpoint_record_batch_size',
      help: 'Records per database insert batch',
      buckets: [1, 5, 10, 25, 50, 100, 200, 500, 1000],
      registers,
    }),
    recordsWritten: new Counter({ name: 'fixpoint_records_written_total', help: 'Records the database acknowledged', registers }),
    recordsSpooled: new Counter({ name: 'fixpoint_records_spooled_total', help: 'Records written to the spool file (database unreachable or buffer full)', registers }),
    recordsReplayed: new Counter({ name: 'fixpoint_records_replayed_total', help: 'Spooled records replayed into the database', registers }),
    recordsCleaned: new Counter({ name: 'fixpoint_records_cleaned_total', help: 'Records stored with NUL bytes or lone surrogates replaced after a failed insert', registers }),
    recordsMinimal: new Counter({
      name: 'fixpoint_records_minimal_total',
      help: 'Records stored in minimal form (ids, times, status, the error, no bodies) because they could not be finalized or cleaned',
      registers,
    }),
    recordsDropped: new Counter({
      name: 'fixpoint_records_dropped_total',
      help: 'Records that could not be stored, by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    recordRejections: new Counter({
      name: 'fixpoint_record_rejections_total',
      help: 'Calls refused with 503 because the spool could not be written',
      registers,
    }),
    spoolBytes: new Gauge({ name: 'fixpoint_record_spool_bytes', help: 'Bytes waiting in spool files', registers }),
    embeddedDatabaseRestarts: new Counter({
      name: 'fixpoint_embedded_database_restarts_total',
      help: "Restarts of the embedded database's thread (PGlite, no DATABASE_URL) after it died",
      registers,
    }),
    detectEnqueueFailures: new Counter({
      name: 'fixpoint_detect_enqueue_failures_total',
      help: 'Stored batches whose detection could not be enqueued (Redis down); the sweep catches them up',
      registers,
    }),
    callsEvaluated: new Counter({ name: 'fixpoint_calls_evaluated_total', help: 'Calls the detectors checked', labelNames: ['component'] as const, registers }),
    callsFailed: new Counter({
      name: 'fixpoint_calls_failed_total',
      help: 'Checked calls with at least one failure (failure rate = this / fixpoint_calls_evaluated_total)',
      labelNames: ['component'] as const,
      registers,
    }),
    failures: new Counter({
      name: 'fixpoint_failures_total',
      help: 'Failures found, by component, kind and rule',
      labelNames: ['component', 'kind', 'rule'] as const,
      registers,
    }),
    ruleErrors: new Counter({
      name: 'fixpoint_rule_errors_total',
      help: 'Declared rules that could not judge a call (load: the rule did not build; check: it threw, timed out or answered nonsense); the call is judged by the other rules',
      labelNames: ['component', 'rule', 'stage'] as const,
      registers,
    }),
    judgeCalls: new Counter({
      name: 'fixpoint_judge_calls_total',
      help: 'LLM-judge calls by outcome (pass, fail, error, skipped_spend_limit, invalid_verdict)',
      labelNames: ['component', 'outcome'] as const,
      registers,
    }),
    judgeDuration: new Histogram({
      name: 'fixpoint_judge_duration_seconds',
      help: 'LLM-judge call latency',
      labelNames: ['component'] as const,
      buckets: latencyBuckets,
      registers,
    }),
    judgeSpend: new Counter({ name: 'fixpoint_judge_spend_usd_total', help: 'Estimated LLM-judge spend in US dollars', labelNames: ['component'] as const, registers }),
    feedback: new Counter({
      name: 'fixpoint_feedback_total',
      help: 'User feedback received, by sentiment (positive, negative)',
      labelNames: ['component', 'sentiment'] as const,
      registers,
    }),
    failuresGrouped: new Counter({ name: 'fixpoint_failures_grouped_total', help: 'Failures the grouping job put into patterns', labelNames: ['component'] as const, registers }),
    patternsCreated: new Counter({ name: 'fixpoint_patterns_created_total', help: 'Patterns started by the grouping job', labelNames: ['component'] as const, registers }),
    patternsMerged: new Counter({ name: 'fixpoint_patterns_merged_total', help: 'Patterns merged into another that drifted close to them', labelNames: ['component'] as const, registers }),
    patterns: new Gauge({
      name: 'fixpoint_patterns',
      help: 'Live patterns (seen in the last 7 days, or still systematic), by status and diagnosis',
      labelNames: ['component', 'status', 'diagnosis'] as const,
      registers,
    }),
    systematicPatterns: new Gauge({
      name: 'fixpoint_patterns_systematic',
      help: 'Systematic (or regressed) patterns by diagnosis and recommended remedy',
      labelNames: ['component', 'diagnosis', 'remedy'] as const,
      registers,
    }),
    patternFailures: new Gauge({
      name: 'fixpoint_pattern_failures_24h',
      help: 'Failures of a pattern in the last 24 hours (the 50 largest patterns)',
      labelNames: ['component', 'pattern', 'status', 'diagnosis'] as const,
      registers,
    }),
    patternShare: new Gauge({
      name: 'fixpoint_pattern_traffic_share_24h',
      help: "A pattern's failures as a share of its component's calls, last 24 hours (the 50 largest patterns)",
      labelNames: ['component', 'pattern', 'status', 'diagnosis'] as const,
      registers,
    }),
    promptSwaps: new Counter({
      name: 'fixpoint_prompt_swaps_total',
      help: 'Requests of components with a live prompt version: swapped (by arm), opted out, or not fitting the template',
      labelNames: ['component', 'arm', 'outcome'] as const,
      registers,
    }),
    canaryDecisions: new Counter({
      name: 'fixpoint_canary_decisions_total',
      help: 'Canaries promoted or rolled back by the canary monitor',
      labelNames: ['component', 'decision'] as const,
      registers,
    }),
    optimizationRuns: new Counter({
      name: 'fixpoint_optimization_runs_total',
      help: 'Prompt optimization runs ended, by outcome (accepted, not_fixed, failed)',
      labelNames: ['component', 'outcome'] as const,
      registers,
    }),
    finetuneRecommended: new Gauge({
      name: 'fixpoint_finetune_recommended',
      help: 'Components with a fine-tuning recommendation waiting or under way (open, approved, training, evaluating, canary): 1, else 0',
      labelNames: ['component'] as const,
      registers,
    }),
    finetuneRecommendations: new Gauge({
      name: 'fixpoint_finetune_recommendations',
      help: 'Fine-tuning recommendations by status',
      labelNames: ['status'] as const,
      registers,
    }),
    trainingJobs: new Counter({
      name: 'fixpoint_training_jobs_total',
      help: 'Training jobs finished, by backend and status (succeeded, failed, cancelled)',
      labelNames: ['backend', 'status'] as const,
      registers,
    }),
    trainingJobDuration: new Histogram({
      name: 'fixpoint_training_job_duration_seconds',
      help: 'Training job run time, started to finished',
      labelNames: ['backend'] as const,
      buckets: trainingBuckets,
      registers,
    }),
    datasetRows: new Gauge({
      name: 'fixpoint_finetune_dataset_rows',
      help: 'Rows of the last fine-tuning dataset built, by split (train, validation, gate, preference)',
      labelNames: ['split'] as const,
      registers,
    }),
    tunedModelCanaries: new Gauge({
      name: 'fixpoint_tuned_model_canaries',
      help: 'Tuned models in canary (1) by component',
      labelNames: ['component'] as const,
      registers,
    }),
    webhookDeliveries: new Counter({
      name: 'fixpoint_webhook_deliveries_total',
      help: 'Fine-tuning webhook delivery attempts by outcome (delivered, timeout, network_error, server_error, rejected)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    jobsCompleted: new Counter({ name: 'fixpoint_jobs_completed_total', help: 'Background jobs completed', labelNames: ['queue'] as const, registers }),
    jobsFailed: new Counter({
      name: 'fixpoint_jobs_failed_total',
      help: 'Background job attempts that failed (final=true when no retry is left)',
      labelNames: ['queue', 'final'] as const,
      registers,
    }),
    jobDuration: new Histogram({
      name: 'fixpoint_job_duration_seconds',
      help: 'Background job run time',
      labelNames: ['queue'] as const,
      buckets: latencyBuckets,
      registers,
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;

/**
 * Keeps a label's cardinality bounded: values are cleaned to a safe alphabet, and past `max`
 * distinct values new ones become "other". Client-supplied strings go through one of these.
 */
export function createLabelBound(max: number) {
  const seen = new Set<string>();
  return (value: string | null | undefined): string => {
    if (!value) return 'none';
    if (seen.has(value)) return value;
    const clean = value.toLowerCase().replace(/[^a-z0-9_.:/-]/g, '_').slice(0, 64);
    if (clean !== value) return seen.has(clean) ? clean : admit(clean);
    return admit(clean);
  };
  function admit(v: string): string {
    if (seen.size >= max) return 'other';
    seen.add(v);
    return v;
  }
}

/**
 * `fixpoint_thread_cpu_seconds_total{thread}`: the process's CPU time split by thread — `main` (the
 * one that proxies calls), `recorder`, `database` (the embedded database's), `other` (V8's and
 * libuv's helpers) — read from /proc at each scrape (Linux; absent elsewhere). Beside
 * `fixpoint_process_cpu_seconds_total`, it says which part of the gateway the CPU goes to.
 */
function registerThreadCpu(registry: Registry): void {
  new Counter({
    name: 'fixpoint_thread_cpu_seconds_total',
    help: 'CPU time of the live threads of this process, by role: main (proxying), recorder, database (embedded), other (V8 and libuv helpers)',
    labelNames: ['thread'] as const,
    registers: [registry],
    collect() {
      const byRole = threadCpuSecondsByRole();
      if (!byRole) return;
      this.reset();
      for (const [thread, seconds] of byRole) this.inc({ thread }, seconds);
    },
  });
}
