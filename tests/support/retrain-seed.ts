import { randomUUID } from 'node:crypto';
import { callEvaluations, calls, failures, feedback, judgeVerdicts, promptAudit, promptVersions, prompts, type Db } from '../../src/db/index.ts';
import { dehydratePrompts } from '../../src/prompts/index.ts';

/** Recorded calls, failures, feedback, verdicts and prompt versions written the way the gateway and detectors write them. */

export interface SeedCall {
  /** The call's id; a random one when not given. */
  id?: string;
  component?: string;
  sessionId?: string | null;
  startedAt: Date;
  system: string;
  /** The messages after the system prompt. */
  messages: Record<string, unknown>[];
  output: string;
  tools?: unknown[];
  promptVersionId?: string | null;
  /** call_evaluations.failure_count; null: never evaluated. */
  evaluated?: number | null;
  /** A judge verdict, when judged. */
  judgePass?: boolean;
}

export function completion(text: string): Record<string, unknown> {
  return {
    id: `chatcmpl-${randomUUID()}`,
    object: 'chat.completion',
    created: 1_790_000_000,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 40, completion_tokens: 12, total_tokens: 52 },
  };
}

export async function seedCall(db: Db, c: SeedCall): Promise<string> {
  const id = c.id ?? randomUUID();
  const request = { model: 'gpt-4o-mini', messages: [{ role: 'system', content: c.system }, ...c.messages], ...(c.tools ? { tools: c.tools } : {}), temperature: 0.2 };
  const { body, prompts: texts } = dehydratePrompts(request);
  if (texts.length) await db.insert(prompts).values(texts).onConflictDoNothing();
  await db.insert(calls).values({
    id,
    startedAt: c.startedAt,
    endedAt: new Date(c.startedAt.getTime() + 800),
    latencyMs: 800,
    route: 'chat.completions',
    component: c.component ?? 'support',
    provider: 'openai',
    requestedModel: 'gpt-4o-mini',
    servedModel: 'gpt-4o-mini-2024-07-18',
    status: 'success',
    httpStatus: 200,
    finishReasons: ['stop'],
    inputTokens: 40,
    outputTokens: 12,
    totalTokens: 52,
    systemPromptHash: texts[0]?.hash ?? null,
    requestBody: body,
    responseBody: completion(c.output),
    sessionId: c.sessionId ?? null,
    promptVersionId: c.promptVersionId ?? null,
  });
  if (c.evaluated !== undefined && c.evaluated !== null) await db.insert(callEvaluations).values({ callId: id, failureCount: c.evaluated });
  if (c.judgePass !== undefined) {
    await db.insert(judgeVerdicts).values({
      id: randomUUID(), callId: id, component: c.component ?? 'support', rubricVersion: 'r1', judgeModel: 'judge-model',
      pass: c.judgePass, score: c.judgePass ? 0.9 : 0.2, failedCriteria: c.judgePass ? [] : ['correctness'], rationale: c.judgePass ? 'fine' : 'wrong', latencyMs: 5,
    });
  }
  return id;
}

export async function seedFailure(db: Db, callId: string, f: { kind: string; ruleId: string; patternId: string | null; correction?: unknown; component?: string; at: Date }): Promise<void> {
  await db.insert(failures).values({
    id: randomUUID(), callId, component: f.component ?? 'support', kind: f.kind, ruleId: f.ruleId, message: `${f.kind} failure`, evidence: {},
    correction: f.correction ?? null, callStartedAt: f.at, patternId: f.patternId,
  });
}

export async function seedFeedback(db: Db, callId: string, correction: unknown): Promise<void> {
  await db.insert(feedback).values({ id: randomUUID(), callId, rating: 0, comment: 'not helpful', correction, source: 'client' });
}

export async function seedVersion(
  db: Db,
  v: { component?: string; version: number; template: string; status: string; source: string; fewShot?: { user: string; assistant: string }[]; promoted?: boolean },
): Promise<string> {
  const id = randomUUID();
  await db.insert(promptVersions).values({ id, component: v.component ?? 'support', version: v.version, template: v.template, origin: { source: v.source }, status: v.status, fewShot: v.fewShot ?? [] });
  if (v.promoted) await db.insert(promptAudit).values({ id: randomUUID(), component: v.component ?? 'support', versionId: id, action: 'promoted', actor: 'admin' });
  return id;
}
