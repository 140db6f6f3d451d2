import { createHash, randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { loadConfig, type Config } from '../src/config/index.ts';
import { calls, finetuneDatasets, type DatasetRow, type Database } from '../src/db/index.ts';
import { createCallChecker } from '../src/evaluate/index.ts';
import { createApp } from '../src/ingress/app.ts';
import type { IngressDeps } from '../src/ingress/deps.ts';
import { createProviderRegistry, type ProviderRegistry } from '../src/providers/index.ts';
import { buildDataset, countTrustedExamples, createDatasetJudge, datasetFileNames, isRetrainDatasetError, type BuildDatasetDeps } from '../src/retrain/dataset/index.ts';
import { startFakeUpstream, textOf, textReply, type FakeUpstream } from '../testkit/fake-upstream/index.ts';
import { openMigratedTestDatabase } from './support/test-database.ts';
import { seedCall, seedFailure, seedFeedback, seedVersion } from './support/retrain-seed.ts';

/**
 * Dataset building on a realistic recorded history: failing calls of two patterns with corrections
 * (failure and feedback, string and JSON), later passing calls of the same input under accepted and
 * not-accepted prompt versions, a teacher on the fake upstream whose answers pass or fail the rules and
 * the judge, duplicates, personal data, sessions and calls without one, and passing calls to replay.
 */

const ADMIN = 'admin-token-for-dataset-tests-0123';
const yaml = `
components:
  support:
    rules:
      - { id: no-guessing, type: regex, pattern: 'I think', mustMatch: false }
    judge:
      rubric: "The reply answers the customer's question correctly and politely."
      model: judge-model
      sampleRate: 1
retrain:
  teacher: teacher-model
  minExamples: 5
  replayShare: 0.5
  splits: { validation: 0.2, gate: 0.3 }
  redact: { patterns: ['ACCT-\\d{6}'] }
`;

const P1 = randomUUID();
const P2 = randomUUID();
const P_OTHER = randomUUID();
const names = ['Dana', 'Bo', 'Carol', 'Dmitri', 'Esme', 'Farid', 'Gita', 'Hugo', 'Ines', 'Jon', 'Kai', 'Lena', 'Mo', 'Nia', 'Omar', 'Pia', 'Quinn', 'Rui', 'Sol', 'Tao'];
const v0 = (name: string) => `You are Acme's support agent. The customer is ${name}, on the Pro plan. Answer in two sentences.`;
const v1 = (name: string) => `You are Acme's support agent. The customer is ${name}, on the Pro plan. Answer in two sentences and cite the policy by name.`;
const fewShot = [{ user: 'Can I pause my plan?', assistant: 'Yes: the Pause policy lets you pause for up to 3 months.' }];
const fewShotMessages = [{ role: 'user', content: fewShot[0]!.user }, { role: 'assistant', content: fewShot[0]!.assistant }];
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);
/**
 * Seeded call ids in order, not random: a call without a session is split by its id, so random ids
 * moved sessionless calls between train, validation and gate from run to run, and with them which
 * rows the replay share cut (the capped build below counted 9 corrections instead of 10 now and then).
 */
let seededCalls = 0;
const nextCallId = () => `00000000-0000-4000-8000-${(++seededCalls).toString(16).padStart(12, '0')}`;
const user = (text: string) => [{ role: 'user', content: text }];

/** What the test knows about each seeded call, by the marker in its first user message. */
interface Seeded {
  callId: string;
  session: string;
}

let database: Database;
let close: () => Promise<void>;
let dataDir: string;
let fake: FakeUpstream;
let config: Config;
let registry: ProviderRegistry;
const seeded = new Map<string, Seeded>();
const correctionT01 = 'Your refund for ACCT-123456 was issued on 3 May; it reaches your card within 5 business days.';
const correctionT02 = { answer: 'Reset your password at acme.example/reset, then sign in again.', steps: 2 };

function teacherAnswer(body: Record<string, unknown>): string {
  const messages = (body['messages'] as { role: string; content: unknown }[]).filter((m) => m.role === 'user');
  const last = textOf(messages.at(-1)?.content);
  const marker = /\bT\d\d\b/.exec(last)?.[0] ?? 'T??';
  if (last.includes('[teacher:guess]')) return `I think the ${marker} refund takes a while.`;
  if (last.includes('[teacher:wrong]')) return `WRONG: ${marker} refunds are never possible.`;
  return `Teacher answer for ${marker}: the Refund policy covers this; it is done within 5 days.`;
}

async function seedFailing(marker: string, o: { session: string | null; name: string; text?: string; messages?: Record<string, unknown>[]; at: Date; patternId?: string; correction?: unknown; feedbackCorrection?: unknown; twoFailures?: boolean; tools?: unknown[] }): Promise<string> {
  const db = database.db;
  const messages = o.messages ?? user(`${marker} ${o.text ?? 'Where is my refund?'}`);
  const callId = await seedCall(db, { id: nextCallId(), sessionId: o.session, startedAt: o.at, system: v0(o.name), messages, output: `BAD-${marker} Refund soon maybe.`, evaluated: o.twoFailures ? 2 : 1, ...(o.tools ? { tools: o.tools } : {}) });
  await seedFailure(db, callId, { kind: o.feedbackCorrection !== undefined ? 'feedback' : 'rule', ruleId: o.feedbackCorrection !== undefined ? 'feedback:negative' : 'policy-cited', patternId: o.patternId ?? P1, correction: o.correction, at: o.at });
  if (o.twoFailures) await seedFailure(db, callId, { kind: 'judge', ruleId: 'judge:r1', patternId: o.patternId ?? P1, at: o.at });
  if (o.feedbackCorrection !== undefined) await seedFeedback(db, callId, o.feedbackCorrection);
  // A marker seeded twice (the duplicate) keeps the newer call: the one the dataset keeps (newest first).
  seeded.set(marker, { callId, session: o.session ?? callId });
  return callId;
}

/** JSON as Python's json.dumps writes it by default (the OpenAI Python SDK's request bodies). */
const pythonDumps = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(pythonDumps).join(', ')}]`
    : v !== null && typeof v === 'object'
      ? `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${pythonDumps(x)}`).join(', ')}}`
      : JSON.stringify(v);

async function respellAsPython(callId: string): Promise<void> {
  const [row] = await database.db.select({ body: calls.requestBody }).from(calls).where(eq(calls.id, callId));
  await database.db.execute(sql`update calls set request_body = ${pythonDumps(row!.body)}::json where id = ${callId}`);
}

/** A later call of the same input as a failing one, under a prompt version. */
async function seedLater(marker: string, o: { name: string; text?: string; versionId: string; shots: boolean; at: Date; evaluated?: number; judgePass?: boolean; session?: string }): Promise<string> {
  const messages = [...(o.shots ? fewShotMessages : []), ...user(`${marker} ${o.text ?? 'Where is my refund?'}`)];
  return seedCall(database.db, { id: nextCallId(), sessionId: o.session ?? `later-${marker}`, startedAt: o.at, system: v1(o.name), messages, output: `LATER-${marker} The Refund policy says it is done within 5 days.`, promptVersionId: o.versionId, evaluated: o.evaluated ?? 0, ...(o.judgePass !== undefined ? { judgePass: o.judgePass } : {}) });
}

async function seedHistory(): Promise<void> {
  const db = database.db;
  const vActive = await seedVersion(db, { version: 1, template: 'v1', status: 'active', source: 'optimizer', fewShot });
  const vRolledBack = await seedVersion(db, { version: 2, template: 'v2', status: 'rolled_back', source: 'optimizer' });
  const vRetiredPromoted = await seedVersion(db, { version: 3, template: 'v3', status: 'retired', source: 'manual', promoted: true });
  const vRetiredNever = await seedVersion(db, { version: 4, template: 'v4', status: 'retired', source: 'optimizer' });
  await seedVersion(db, { version: 0, template: 'v0', status: 'active', source: 'observed' });

  // Corrections: on the failure (with a later passing call too: the correction wins), and by feedback as JSON on a multi-turn conversation.
  await seedFailing('T01', { session: 's-alpha', name: 'Dana', text: 'My email is dana.k@example.com and my phone +1 415-555-2671, account ACCT-123456. Where is my refund?', at: hoursAgo(50), correction: correctionT01, twoFailures: true });
  await seedLater('T01', { name: 'Dana', text: 'My email is dana.k@example.com and my phone +1 415-555-2671, account ACCT-123456. Where is my refund?', versionId: vActive, shots: true, at: hoursAgo(49) });
  await seedFailing('T02', {
    session: 's-bravo', name: 'Bo', at: hoursAgo(48), patternId: P2, feedbackCorrection: correctionT02,
    messages: [{ role: 'user', content: 'T02 I cannot log in.' }, { role: 'assistant', content: 'Have you tried your password?' }, { role: 'user', content: 'Yes, it says invalid. What now?' }],
  });
  // Later calls of the same input: accepted (active with few-shot; retired after promotion) or not.
  // T03's failing call is stored as a Python client spells its request (", " and ": "), as the recorder
  // keeps it; its later call, under a swapped-in version, compact: the same input all the same.
  await respellAsPython(await seedFailing('T03', { session: 's-charlie', name: 'Carol', at: hoursAgo(47) }));
  await seedLater('T03', { name: 'Carol', versionId: vActive, shots: true, at: hoursAgo(20), judgePass: true });
  await seedFailing('T04', { session: 's-delta', name: 'Dmitri', at: hoursAgo(46), patternId: P2 });
  await seedLater('T04', { name: 'Dmitri', versionId: vRetiredPromoted, shots: false, at: hoursAgo(30) });
  await seedFailing('T05', { session: 's-echo', name: 'Esme', at: hoursAgo(45) });
  await seedLater('T05', { name: 'Esme', versionId: vRolledBack, shots: false, at: hoursAgo(30) });
  await seedFailing('T06', { session: 's-foxtrot', name: 'Farid', text: 'Where is my refund? [teacher:guess]', at: hoursAgo(44) });
  await seedLater('T06', { name: 'Farid', text: 'Where is my refund? [teacher:guess]', versionId: vActive, shots: true, at: hoursAgo(30), evaluated: 1 });
  await seedFailing('T07', { session: 's-golf', name: 'Gita', text: 'Where is my refund? [teacher:wrong]', at: hoursAgo(43) });
  await seedLater('T07', { name: 'Gita', text: 'Where is my refund? [teacher:wrong]', versionId: vActive, shots: true, at: hoursAgo(30), judgePass: false });
  await seedFailing('T08', { session: 's-hotel', name: 'Hugo', text: 'Where is my refund? [[error:500]]', at: hoursAgo(42) });
  await seedLater('T08', { name: 'Hugo', text: 'Where is my refund? [[error:500]]', versionId: vActive, shots: true, at: hoursAgo(60) });
  await seedFailing('T09', { session: 's-india', name: 'Ines', at: hoursAgo(41) });
  await seedLater('T09', { name: 'Ines', versionId: vRetiredNever, shots: false, at: hoursAgo(30) });
  await seedFailing('T10', { session: null, name: 'Jon', at: hoursAgo(40) });
  const laterT10 = await seedLater('T10', { name: 'Jon', versionId: vActive, shots: true, at: hoursAgo(30) });
  await seedFailure(db, laterT10, { kind: 'feedback', ruleId: 'feedback:negative', patternId: null, at: hoursAgo(30) });
  // The same failing call twice (two sessions): one row.
  await seedFailing('T11', { session: 's-juliet', name: 'Kai', at: hoursAgo(39), correction: 'The Refund policy: your refund is on its way and arrives within 5 days.' });
  await seedFailing('T11', { session: 's-kilo', name: 'Kai', at: hoursAgo(38), correction: 'The Refund policy: your refund is on its way and arrives within 5 days.' });
  // More corrections, some without a session, one with tools and a phone number in another style.
  const tools = [{ type: 'function', function: { name: 'lookup_order', description: 'Find an order by number', parameters: { type: 'object', properties: { order: { type: 'string' } }, required: ['order'] } } }];
  for (let i = 12; i <= 19; i++) {
    const marker = `T${i}`;
    await seedFailing(marker, {
      session: i % 3 === 0 ? null : `s-case-${i}`, name: names[i]!, at: hoursAgo(37 - i), patternId: i % 2 ? P1 : P2,
      text: i === 12 ? 'Order 7781 never came, call me on (415) 555 0199.' : `Question ${i} about invoice ${i * 37}.`,
      correction: `The Billing policy: invoice ${i * 37} for ${marker} is settled; nothing more is due.`, ...(i === 13 ? { tools } : {}),
    });
  }
  // Not candidates: another pattern, another component.
  await seedFailing('X01', { session: 's-x1', name: 'Omar', at: hoursAgo(10), patternId: P_OTHER, correction: 'EXCLUDED-OTHER-PATTERN' });
  const otherComponent = await seedCall(db, { id: nextCallId(), component: 'billing', sessionId: 's-x2', startedAt: hoursAgo(10), system: v0('Pia'), messages: user('X02 hello'), output: 'BAD', evaluated: 1 });
  await seedFailure(db, otherComponent, { kind: 'rule', ruleId: 'r', patternId: P1, component: 'billing', correction: 'EXCLUDED-OTHER-COMPONENT', at: hoursAgo(10) });

  // Passing calls to replay (and some that must not be).
  for (let i = 0; i < 40; i++) {
    const marker = `R${String(i).padStart(2, '0')}`;
    const session = i % 7 === 0 ? null : `r-${Math.floor(i / 2)}`;
    const text = i === 3 ? `${marker} Please call me at 020 7946 0958 or write to sam@acme-customer.org.` : `${marker} How do I change my billing address?`;
    const callId = await seedCall(db, { id: nextCallId(), sessionId: session, startedAt: hoursAgo(i / 4), system: v0(names[i % 20]!), messages: user(text), output: `REPLAY-${marker} Go to Settings, then Billing; the Address policy applies.`, evaluated: 0, ...(i % 2 ? { judgePass: true } : {}) });
    seeded.set(marker, { callId, session: session ?? callId });
  }
  await seedCall(db, { id: nextCallId(), sessionId: 'r-x', startedAt: hoursAgo(0.1), system: v0('Sol'), messages: user('RX1 hi'), output: 'EXCLUDED-JUDGE', evaluated: 0, judgePass: false });
  await seedCall(db, { id: nextCallId(), sessionId: 'r-x', startedAt: hoursAgo(0.1), system: v0('Sol'), messages: user('RX2 hi'), output: 'EXCLUDED-UNEVALUATED' });
  await seedCall(db, { id: nextCallId(), sessionId: 'r-x', startedAt: hoursAgo(0.1), system: v0('Sol'), messages: user('RX3 hi'), output: 'EXCLUDED-FAILED', evaluated: 2 });
  const withFeedback = await seedCall(db, { id: nextCallId(), sessionId: 'r-x', startedAt: hoursAgo(0.1), system: v0('Sol'), messages: user('RX4 hi'), output: 'EXCLUDED-FEEDBACK', evaluated: 0 });
  await seedFailure(db, withFeedback, { kind: 'feedback', ruleId: 'feedback:negative', patternId: null, at: hoursAgo(0.1) });
}

function depsFor(cfg: Config): BuildDatasetDeps {
  const judge = cfg.file.components['support']?.judge;
  return { db: database.db, registry, prices: () => null, check: createCallChecker(cfg), judge: judge ? createDatasetJudge({ registry, prices: () => null }, judge) : null, dataDir };
}

beforeAll(async () => {
  const t = await openMigratedTestDatabase();
  ({ database, close } = t);
  dataDir = t.tdb.dataDir;
  fake = await startFakeUpstream({ responder: { chat: (body) => (body['model'] === 'teacher-model' && !textOf((body['messages'] as { content: unknown }[]).at(-1)?.content).includes('[[error') ? textReply(teacherAnswer(body), 'x') : null) } });
  config = loadConfig({ OPENAI_BASE_URL: fake.openaiBaseUrl, OPENAI_API_KEY: 'sk-test-operator-0123456789', FIXPOINT_ADMIN_TOKEN: ADMIN }, yaml);
  registry = createProviderRegistry(config, { connectTimeoutMs: 5000, idleTimeoutMs: 30_000 });
  await seedHistory();
});
afterAll(async () => {
  await registry?.close();
  await fake?.close();
  await close?.();
});

interface Files {
  train: Record<string, unknown>[];
  validation: Record<string, unknown>[];
  gate: Record<string, unknown>[];
  /** Gate rows of failing calls without a trusted target: inputs the evaluation replays, never trained on. */
  gateUntargeted: Record<string, unknown>[];
  preference: Record<string, unknown>[];
  raw: Record<string, string>;
}

async function readFiles(row: DatasetRow): Promise<Files> {
  const raw: Record<string, string> = {};
  for (const name of datasetFileNames) raw[name] = await readFile(path.join(row.dir, name), 'utf8');
  const parse = (name: string) => raw[name]!.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  const untargeted = (r: Record<string, unknown>) => (r['metadata'] as { source?: string } | undefined)?.source === 'untargeted';
  const gate = parse('gate.jsonl');
  const targeted = gate.filter((r) => !untargeted(r));
  raw['gate.jsonl'] = targeted.map((r) => JSON.stringify(r)).join('\n');
  return { train: parse('train.jsonl'), validation: parse('validation.jsonl'), gate: targeted, gateUntargeted: gate.filter(untargeted), preference: parse('preference.jsonl'), raw };
}

type Msg = { role: string; content: unknown; weight?: number };
const messagesOf = (r: Record<string, unknown>) => r['messages'] as Msg[];
const markerOf = (messages: Msg[]) => /\b[TR]\d\d\b/.exec(String(messages.find((m) => m.role === 'user')?.content))?.[0] ?? '?';
const targetOf = (r: Record<string, unknown>) => messagesOf(r).at(-1)!;

describe('trusted example counts', () => {
  it('counts each failing call once under its most trusted source, and the rest as teacher-eligible', async () => {
    const counts = await countTrustedExamples(database.db, { component: 'support', patternIds: [P1, P2], teacher: true, minExamples: 20 });
    // correction: T01 (also has a later call), T02 (feedback JSON), T11 twice, T12–T19; later_prompt: T03 (active + few-shot), T04 (retired after promotion).
    expect(counts).toEqual({ trusted: 14, bySource: { correction: 12, later_prompt: 2, teacher: 0 }, missing: 6, teacherEligible: 6, failingCalls: 20 });
    const noTeacher = await countTrustedExamples(database.db, { component: 'support', patternIds: [P1, P2], teacher: false });
    expect(noTeacher).toMatchObject({ trusted: 14, teacherEligible: 0, missing: 0 });
    expect(await countTrustedExamples(database.db, { component: 'support', patternIds: [P2], teacher: true })).toMatchObject({ bySource: { correction: 5, later_prompt: 1, teacher: 0 } }); // T02, T12/14/16/18; T04
    expect(await countTrustedExamples(database.db, { component: 'support', patternIds: [], teacher: true })).toMatchObject({ trusted: 0, failingCalls: 0 });
  });
});

describe('building a dataset', () => {
  let row: DatasetRow;
  let files: Files;
  beforeAll(async () => {
    row = await buildDataset(depsFor(config), { recommendationId: randomUUID(), component: 'support', patternIds: [P1, P2], settings: config.file.retrain });
    files = await readFiles(row);
  }, 60_000);

  it('takes targets in trust order: correction, then a later passing call, then a verified teacher answer', () => {
    const all = [...files.train, ...files.validation, ...files.gate];
    const byMarker = new Map(all.map((r) => [markerOf(messagesOf(r)), r]));
    expect(targetOf(byMarker.get('T01')!).content).toBe('Your refund for [redacted] was issued on 3 May; it reaches your card within 5 business days.');
    // JSON corrections as compact JSON text (jsonb keeps its own key order).
    const t02 = String(targetOf(byMarker.get('T02')!).content);
    expect(JSON.parse(t02)).toEqual(correctionT02);
    expect(t02).toBe(JSON.stringify(JSON.parse(t02)));
    expect(targetOf(byMarker.get('T03')!).content).toBe('LATER-T03 The Refund policy says it is done within 5 days.');
    expect(targetOf(byMarker.get('T04')!).content).toBe('LATER-T04 The Refund policy says it is done within 5 days.');
    for (const m of ['T05', 'T09', 'T10']) expect(targetOf(byMarker.get(m)!).content).toBe(`Teacher answer for ${m}: the Refund policy covers this; it is done within 5 days.`);
    // The system prompt as the agent sent it (slots filled, not the later version's), no few-shot turns.
    expect(messagesOf(byMarker.get('T03')!).map((m) => m.role)).toEqual(['system', 'user', 'assistant']);
    expect(messagesOf(byMarker.get('T03')!)[0]!.content).toBe(v0('Carol'));
    expect(row.counts).toMatchObject({ bySource: { correction: 11, later_prompt: 2, teacher: 3 }, duplicatesDropped: 1 });
    expect(row.counts['teacher']).toMatchObject({ model: 'teacher-model', asked: 6, passed: 3, failedChecks: 1, failedJudge: 1, errors: 1 });
  });

  it('never makes an unverified output a target: failed teacher answers and the failing outputs are nowhere but the rejected side', () => {
    const chat = files.raw['train.jsonl']! + files.raw['validation.jsonl']! + files.raw['gate.jsonl']!;
    for (const bad of ['I think', 'WRONG', 'BAD-', 'EXCLUDED-', 'T06', 'T07', 'T08', 'LATER-T05', 'LATER-T09', 'LATER-T10']) expect(chat).not.toContain(bad);
    expect(files.raw['preference.jsonl']).not.toContain('I think');
    expect(files.raw['preference.jsonl']).not.toContain('WRONG');
    // Every teacher request was the recorded one, system prompt restored, not streamed.
    const asked = fake.requests.filter((r) => (r.body as { model?: string })?.model === 'teacher-model');
    expect(asked).toHaveLength(6);
    for (const r of asked) {
      const b = r.body as { messages: Msg[]; stream?: boolean };
      expect(b.stream).toBeUndefined();
      expect(String(b.messages[0]!.content)).toMatch(/^You are Acme's support agent\. The customer is \w+, on the Pro plan\. Answer in two sentences\.$/);
    }
  });

  it('weights only the target, keeps tools, and leaves metadata to the gate file', () => {
    for (const r of [...files.train, ...files.validation, ...files.gate]) {
      const ms = messagesOf(r);
      expect(ms.at(-1)).toMatchObject({ role: 'assistant', weight: 1 });
      for (const m of ms.slice(0, -1)) expect(m.weight).toBe(m.role === 'assistant' ? 0 : undefined);
    }
    for (const r of [...files.train, ...files.validation]) expect(r).not.toHaveProperty('metadata');
    for (const r of files.gate) expect(r['metadata']).toEqual({ call_id: seeded.get(markerOf(messagesOf(r)))!.callId, kind: markerOf(messagesOf(r)).startsWith('R') ? 'replay' : 'pattern', source: expect.any(String) });
    const t02 = [...files.train, ...files.validation, ...files.gate].find((r) => markerOf(messagesOf(r)) === 'T02')!;
    expect(messagesOf(t02).map((m) => [m.role, m.weight])).toEqual([['system', undefined], ['user', undefined], ['assistant', 0], ['user', undefined], ['assistant', 1]]);
    const t13 = [...files.train, ...files.validation, ...files.gate].find((r) => markerOf(messagesOf(r)) === 'T13')!;
    expect((t13['tools'] as { function: { name: string } }[])[0]!.function.name).toBe('lookup_order');
  });

  it('lists the failing calls of gate sessions without a target for the evaluation, inputs only', () => {
    const gateSessions = new Set(files.gate.map((r) => seeded.get(markerOf(messagesOf(r)))?.session));
    for (const r of files.gateUntargeted) {
      expect(messagesOf(r).some((m) => m.role === 'assistant' && m.weight === 1)).toBe(false);
      expect(r['metadata']).toMatchObject({ kind: 'pattern', source: 'untargeted' });
      const trainMarkers = new Set([...files.train, ...files.validation].map((t) => markerOf(messagesOf(t))));
      expect(trainMarkers.has(markerOf(messagesOf(r)))).toBe(false);
    }
    expect(gateSessions.size).toBeGreaterThan(0);
    // The seed leaves one failing call of a gate session that nothing verified a target for.
    expect(files.gateUntargeted).toHaveLength(1);
  });

  it('meets the replay share in train, drops duplicates, and splits by session with the gate held out', () => {
    const replayIn = (rs: Record<string, unknown>[]) => rs.filter((r) => markerOf(messagesOf(r)).startsWith('R')).length;
    expect(replayIn(files.train)).toBeGreaterThan(0);
    expect(replayIn(files.train) / files.train.length).toBeGreaterThanOrEqual(0.5);
    const bySplit = row.counts['bySplit'] as Record<string, { pattern: number; replay: number }>;
    for (const s of ['train', 'validation', 'gate']) expect(bySplit[s]!.pattern + bySplit[s]!.replay).toBe(files[s as 'train'].length);
    expect(bySplit['gate']!.pattern).toBeGreaterThan(0);
    expect(bySplit['validation']!.pattern + bySplit['validation']!.replay).toBeGreaterThan(0);

    const lines = [...files.train, ...files.validation, ...files.gate].map((r) => JSON.stringify({ ...r, metadata: undefined }));
    expect(new Set(lines).size).toBe(lines.length);
    expect(lines.filter((l) => l.includes('T11'))).toHaveLength(1);

    const splitOfSession = new Map<string, string>();
    for (const s of ['train', 'validation', 'gate'] as const) {
      for (const r of files[s]) {
        const marker = markerOf(messagesOf(r));
        const session = seeded.get(marker)?.session;
        expect(session, marker).toBeDefined();
        expect(splitOfSession.get(session!) ?? s, `session ${session} in two splits`).toBe(s);
        splitOfSession.set(session!, s);
      }
    }
    const gateMarkers = new Set(files.gate.map((r) => markerOf(messagesOf(r))));
    for (const r of [...files.train, ...files.validation]) expect(gateMarkers.has(markerOf(messagesOf(r)))).toBe(false);
    expect(files.raw['train.jsonl']).not.toContain(String((files.gate[0]!['metadata'] as { call_id: string }).call_id));
  });

  it('redacts e-mail addresses, phone numbers and the configured patterns in every file', () => {
    const everything = Object.values(files.raw).join('') + JSON.stringify(row.manifest);
    for (const pii of ['dana.k@example.com', '415-555-2671', '(415) 555 0199', 'ACCT-123456', '020 7946 0958', 'sam@acme-customer.org']) expect(everything).not.toContain(pii);
    expect(Object.values(files.raw).join('')).toContain('[redacted]');
    const redactions = row.counts['redactions'] as Record<string, number>;
    expect(redactions['email']).toBeGreaterThanOrEqual(1);
    expect(redactions['phone']).toBeGreaterThanOrEqual(1);
    expect(redactions['pattern']).toBeGreaterThanOrEqual(2);
    // Dates and invoice numbers are not phone numbers.
    expect(everything).toContain('invoice 444');
  });

  it('pairs each train failure row with what the model answered, in the preference format', () => {
    const trainPattern = files.train.filter((r) => markerOf(messagesOf(r)).startsWith('T'));
    expect(files.preference).toHaveLength(trainPattern.length);
    for (const p of files.preference) {
      const input = p['input'] as { messages: Msg[] };
      const marker = markerOf(input.messages);
      const trained = trainPattern.find((r) => markerOf(messagesOf(r)) === marker)!;
      const { weight: _w, ...target } = targetOf(trained);
      expect(p['preferred_output']).toEqual([target]);
      expect(p['non_preferred_output']).toEqual([{ role: 'assistant', content: `BAD-${marker} Refund soon maybe.` }]);
      expect(input.messages.every((m) => m.weight === undefined)).toBe(true);
      expect(input.messages).toHaveLength(messagesOf(trained).length - 1);
    }
  });

  it('records a manifest whose hashes match the files', async () => {
    const all = createHash('sha256');
    for (const name of datasetFileNames) {
      const buf = await readFile(path.join(row.dir, name));
      all.update(buf);
      expect(row.files[name]).toEqual({ rows: buf.toString('utf8').split('\n').filter(Boolean).length, bytes: buf.length, sha256: createHash('sha256').update(buf).digest('hex') });
    }
    expect(row.sha256).toBe(all.digest('hex'));
    const manifest = JSON.parse(await readFile(path.join(row.dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).toEqual(row.manifest);
    expect(manifest).toMatchObject({ id: row.id, recommendationId: row.recommendationId, component: 'support', patternIds: [P1, P2], sha256: row.sha256 });
    expect(row.dir).toBe(path.resolve(dataDir, 'retrain', 'datasets', row.id));
    const [stored] = await database.db.select().from(finetuneDatasets).where(eq(finetuneDatasets.id, row.id));
    expect(stored?.sha256).toBe(row.sha256);
  });
});

describe('too few examples, and no teacher', () => {
  it('throws RetrainDatasetError with the count missing, writing nothing', async () => {
    const before = await database.db.select().from(finetuneDatasets);
    const settings = { ...config.file.retrain, minExamples: 40, dir: path.join(dataDir, 'short') };
    const err = await buildDataset(depsFor(config), { recommendationId: randomUUID(), component: 'support', patternIds: [P1, P2], settings }).catch((e: unknown) => e);
    expect(isRetrainDatasetError(err)).toBe(true);
    expect(err).toMatchObject({ missing: 40 - 16, built: 16, bySource: { correction: 11, later_prompt: 2, teacher: 3 }, code: 'invalid_request' });
    expect(await database.db.select().from(finetuneDatasets)).toHaveLength(before.length);
  });

  it('without a teacher, builds from corrections and later calls only and asks no model; maxRows caps failure rows first', async () => {
    const asked = fake.requests.length;
    const { teacher: _t, ...rest } = config.file.retrain;
    const chatRows = (r: DatasetRow) => r.files['train.jsonl']!.rows + r.files['validation.jsonl']!.rows + r.files['gate.jsonl']!.rows - Number(r.counts['gateEvaluationOnly'] ?? 0);
    const row = await buildDataset(depsFor(config), { recommendationId: randomUUID(), component: 'support', patternIds: [P1, P2], settings: { ...rest, maxRows: 30 } });
    expect(fake.requests.length).toBe(asked);
    expect(row.counts).toMatchObject({ bySource: { correction: 11, later_prompt: 2, teacher: 0 } });
    expect(chatRows(row)).toBeLessThanOrEqual(30);
    // 20 rows at most, half kept for replays: the 10 most trusted failure rows (corrections) only.
    const capped = await buildDataset(depsFor(config), { recommendationId: randomUUID(), component: 'support', patternIds: [P1, P2], settings: { ...rest, maxRows: 20 } });
    expect(capped.counts).toMatchObject({ bySource: { correction: 10, later_prompt: 0, teacher: 0 } });
    expect(chatRows(capped)).toBeLessThanOrEqual(20);
  });
});

describe('admin API', () => {
  const app = () =>
    // Only what the admin routes read: the app is built without the proxy handlers (an empty map).
    createApp({ config, database, logger: pino({ level: 'silent' }), schema: { migrated: true, lastError: null } } as unknown as IngressDeps, new Map());
  const get = (p: string) => app().request(p, { headers: { authorization: `Bearer ${ADMIN}` } });

  it('serves a dataset, and its files as attachments; 400 for a bad id, 404 for unknown ones', async () => {
    const [row] = await database.db.select().from(finetuneDatasets).limit(1);
    const res = await get(`/api/datasets/${row!.id}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { id: string; manifest: { sha256: string }; files: Record<string, unknown> };
    expect(body.manifest.sha256).toBe(row!.sha256);
    expect(Object.keys(body.files).sort()).toEqual([...datasetFileNames].sort());

    const file = await get(`/api/datasets/${row!.id}/files/train.jsonl`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/jsonl');
    expect(file.headers.get('content-disposition')).toBe(`attachment; filename="${row!.id}-train.jsonl"`);
    expect(await file.text()).toBe(await readFile(path.join(row!.dir, 'train.jsonl'), 'utf8'));

    const bad = await get('/api/datasets/not-a-uuid');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe('id');
    expect((await get(`/api/datasets/${randomUUID()}`)).status).toBe(404);
    expect((await get(`/api/datasets/${row!.id}/files/manifest.json`)).status).toBe(404);
    expect((await get(`/api/datasets/${row!.id}/files/..%2F..%2Fetc%2Fpasswd`)).status).toBe(404);
    expect((await app().request(`/api/datasets/${row!.id}`)).status).toBe(401);

    await rm(path.join(row!.dir, 'validation.jsonl'));
    const missing = await get(`/api/datasets/${row!.id}/files/validation.jsonl`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { param: string } }).error.param).toBe('name');
  });
});
