/**
 * The admin API's answers as the console reads them: only the fields the pages show (the whole shapes
 * are in GET /api/openapi.json).
 */

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export interface ComponentEntry {
  component: string;
  declared: boolean;
  description: string | null;
  rules: { id: string; type: string }[];
  judge: { model: string; sample_rate: number; max_spend_usd_per_hour?: number } | null;
  traffic: { calls_24h: number; calls_7d: number; failed_calls_24h: number; last_seen: string | null };
}

export interface TrafficSeries {
  component: string;
  bucket: 'hour' | 'day';
  data: { at: string; calls: number; failed_calls: number }[];
}

export interface PromptVersion {
  id: string;
  component: string;
  version: number;
  template: string;
  slots: string[];
  model: string | null;
  few_shot: { user: string; assistant: string }[];
  origin: { source: string; run_id?: string; pattern_id?: string; recommendation_id?: string; note?: string };
  status: string;
  created_at: string;
}

export interface AuditEntry {
  id: string;
  version_id: string | null;
  action: string;
  actor: string;
  detail: Record<string, unknown>;
  at: string;
}

export interface PromptsView {
  component: string;
  active_version_id: string | null;
  canary_version_id: string | null;
  canary_share: number;
  versions: PromptVersion[];
  audit: AuditEntry[];
}

export interface PatternView {
  id: string;
  component: string;
  kind: string;
  rule_id: string | null;
  title: string;
  summary: string | null;
  summary_source: string | null;
  top_terms: string[];
  status: string;
  systematic: boolean;
  failure_count: number;
  first_seen: string;
  last_seen: string;
  stats: { windows?: { h1?: number; h24?: number; d7?: number }; share24h?: number; component_calls?: { h24?: number } } | null;
  diagnosis: { kind: string; confidence: number | null; reasons: unknown; source: string | null } | null;
  remedy: string | null;
  merged_into?: string;
}

export interface PatternDetail extends PatternView {
  examples: { id: string; call_id: string; kind: string; rule_id: string | null; message: string; evidence: unknown; correction: unknown; call_started_at: string }[];
  timeline: { hourly: { at: string; failures: number }[]; daily: { at: string; failures: number }[]; events: { at: string; type: string; from: string | null; to: string | null; detail: unknown }[] };
}

export interface RunSummary {
  id: string;
  pattern_id: string;
  component: string;
  status: string;
  trigger: string;
  outcome: string | null;
  result: string | null;
  winner_version_id: string | null;
  eval_calls: number;
  cost_usd: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface Candidate {
  id: string;
  parent: string | null;
  template: string;
  model: string | null;
  few_shot?: { user: string; assistant: string }[];
  rejected: string | null;
  scores: Record<string, { passed: number; total: number; pattern_passed?: number; pattern_total?: number }>;
  cost_usd: number;
  latency_ms: number;
}

export interface Gate {
  accepted?: boolean;
  inconclusive?: boolean;
  reasons?: string[];
  pattern_fail_rate?: { current: number; candidate: number };
  regression_pass_rate?: { current: number; candidate: number };
  p_value?: number;
  regression_p_value?: number;
  net_fall?: number | null;
  growth?: number;
  candidate?: string;
}

export interface RunDetail extends RunSummary {
  candidates: Candidate[];
  sets: Record<string, number>;
  gate: Gate | null;
  optimizer_tokens: number;
  seconds: number | null;
}

export interface Recommendation {
  id: string;
  component: string;
  status: string;
  patterns: { id: string; title: string; kind: string; diagnosis: string | null; remedy: string; reasons: string[]; failures24h: number; failure_rate: number }[];
  examples: { trusted: number; by_source: Record<string, number>; missing: number };
  base_model: string;
  backend: string;
  arithmetic: Record<string, number | null>;
  approved_by: string | null;
  dataset_id: string | null;
  training_job_id: string | null;
  tuned_model: string | null;
  evaluation: Record<string, unknown> | null;
  version_id: string | null;
  error: string | null;
  created_at: string;
  updated_at: string;
}

export interface TrainingJob {
  id: string;
  backend: string;
  external_id: string | null;
  status: string;
  base_model: string;
  hyperparameters: Record<string, unknown>;
  tuned_model: string | null;
  events: { id: string; at: string; level: string; message: string }[];
  checkpoints: { id: string; step: number; metrics: Record<string, number | null>; model: string | null }[];
  error: { code: string; message: string } | null;
  trained_tokens: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  cost_usd: number | null;
}

export interface RecommendationDetail extends Recommendation {
  events: { id: string; at: string; type: string; from_status: string | null; to_status: string | null; actor: string; detail: Record<string, unknown> }[];
  training_job: TrainingJob | null;
  dataset: { id: string; sha256: string; files: Record<string, { rows: number; bytes: number; sha256: string }>; counts: Record<string, unknown>; created_at: string } | null;
}

export interface CallSummary {
  id: string;
  started_at: string;
  latency_ms: number | null;
  route: string;
  component: string;
  provider: string | null;
  requested_model: string | null;
  served_model: string | null;
  status: string;
  http_status: number | null;
  stream: boolean;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | null;
  session_id: string | null;
  user_id: string | null;
}

export interface CallDetail extends CallSummary {
  request_body: unknown;
  response_body: unknown;
  error: string | null;
  properties: Record<string, string>;
  prompt_version_id: string | null;
  finish_reasons: string[];
  evaluation: { failure_count: number; evaluated_at?: string } | null;
  failures: { id: string; kind: string; rule_id: string | null; message: string; evidence: unknown; correction: unknown; pattern_id: string | null }[];
  verdicts: { id: string; pass: boolean; score: number | null; failed_criteria: string[]; rationale: string | null; judge_model: string; rubric_version: string }[];
  feedback: { id: string; rating: number | null; comment: string | null; correction: unknown; source: string; created_at?: string }[];
}
