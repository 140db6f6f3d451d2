import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textReply } from '../fake-upstream/index.ts';
import { startFakeFineTuning, type FakeFineTuning } from './index.ts';

const KEY = 'sk-fake-ft-key-000111';
let fake: FakeFineTuning;
let openai: OpenAI;

const line = (q: string, a: string) => JSON.stringify({ messages: [{ role: 'user', content: q }, { role: 'assistant', content: a }] });
const goodFile = Array.from({ length: 3 }, (_, i) => line(`q${i}`, `a${i}`)).join('\n') + '\n';
const upload = async (content: string, name = 'train.jsonl') => openai.files.create({ file: await toFile(Buffer.from(content), name), purpose: 'fine-tune' });

/** Ticks until the job finishes (manual clock). */
async function run(id: string) {
  for (let i = 0; i < 50; i++) {
    const job = await openai.fineTuning.jobs.retrieve(id);
    if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return job;
    fake.tick();
  }
  throw new Error(`job ${id} never finished`);
}

beforeAll(async () => {
  fake = await startFakeFineTuning({
    apiKey: KEY,
    manual: true,
    steps: 3,
    checkpointEvery: 2,
    minExamples: 3,
    learn: (rows, job) => (body) => (body['model'] === job.model ? textReply(`learned ${rows.length} rows for ${job.suffix}`, '') : null),
  });
  openai = new OpenAI({ baseURL: fake.openaiBaseUrl, apiKey: KEY, maxRetries: 0 });
});
afterAll(async () => {
  await fake.close();
});

describe('files', () => {
  it('stores an upload and gives it back', async () => {
    const file = await upload(goodFile);
    expect(file).toMatchObject({ object: 'file', purpose: 'fine-tune', filename: 'train.jsonl', bytes: Buffer.byteLength(goodFile), status: 'processed' });
    expect(file.id).toMatch(/^file-/);
    expect(await openai.files.retrieve(file.id)).toEqual(file);
    expect(await (await openai.files.content(file.id)).text()).toBe(goodFile);
    await expect(openai.files.retrieve('file-nope')).rejects.toMatchObject({ status: 404, param: 'id' });
  });

  it('wants the key, answering 401 in OpenAI shape', async () => {
    const res = await fetch(`${fake.openaiBaseUrl}/fine_tuning/jobs`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error', message: expect.stringContaining("didn't provide an API key") } });
    const wrong = new OpenAI({ baseURL: fake.openaiBaseUrl, apiKey: 'sk-wrong-key-123456', maxRetries: 0 });
    await expect(wrong.fineTuning.jobs.list()).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
  });
});

describe('fine-tuning jobs', () => {
  it('runs a job through its statuses to a tuned model that answers what it learned', async () => {
    const file = await upload(goodFile);
    const created = await openai.fineTuning.jobs.create({ model: 'gpt-4o-mini', training_file: file.id, suffix: 'unit' });
    expect(created).toMatchObject({ object: 'fine_tuning.job', status: 'validating_files', fine_tuned_model: null, hyperparameters: { n_epochs: 'auto' } });
    const job = await run(created.id);
    expect(job).toMatchObject({ status: 'succeeded', fine_tuned_model: `ft:gpt-4o-mini:unit:${created.id}`, hyperparameters: { n_epochs: 3, batch_size: 1 } });
    expect(job.trained_tokens).toBeGreaterThan(0);
    expect(job.finished_at).not.toBeNull();
    const results = await (await openai.files.content(job.result_files[0]!)).text();
    expect(results.trim().split('\n')).toHaveLength(4); // header + 3 steps

    const chat = await openai.chat.completions.create({ model: job.fine_tuned_model!, messages: [{ role: 'user', content: 'hi' }] });
    expect(chat.choices[0]?.message.content).toBe('learned 3 rows for unit');
    const base = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(base.choices[0]?.message.content).toBe('Echo: hi');
  });

  it('pages events and checkpoints newest first', async () => {
    const file = await upload(goodFile);
    const { id } = await openai.fineTuning.jobs.create({ model: 'gpt-4o-mini', training_file: file.id });
    await run(id);
    const all = fake.jobs().find((j) => j.job.id === id)!.events;
    const first = await openai.fineTuning.jobs.listEvents(id, { limit: 2 });
    expect(first.data.map((e) => e.id)).toEqual([all.at(-1)!.id, all.at(-2)!.id]);
    expect(first.has_more).toBe(true);
    const second = await openai.fineTuning.jobs.listEvents(id, { limit: 2, after: first.data[1]!.id });
    expect(second.data[0]?.id).toBe(all.at(-3)!.id);
    const metrics = all.filter((e) => e.type === 'metrics');
    expect(metrics.map((e) => (e.data as { step: number }).step)).toEqual([1, 2, 3]);

    const checkpoints = await openai.fineTuning.jobs.checkpoints.list(id);
    expect(checkpoints.data.map((c) => c.step_number)).toEqual([3, 2]);
    expect(checkpoints.data[0]).toMatchObject({ object: 'fine_tuning.job.checkpoint', fine_tuning_job_id: id, metrics: { step: 3 } });
    const raw = (await (await fetch(`${fake.openaiBaseUrl}/fine_tuning/jobs/${id}/checkpoints`, { headers: { authorization: `Bearer ${KEY}` } })).json()) as Record<string, unknown>;
    expect(raw).toMatchObject({ object: 'list', has_more: false, first_id: checkpoints.data[0]!.id, last_id: checkpoints.data[1]!.id });

    const jobs = await openai.fineTuning.jobs.list({ limit: 1 });
    expect(jobs.data[0]?.id).toBe(id);
  });

  it('rejects an unknown training file at once, and fails bad or short files in validation', async () => {
    await expect(openai.fineTuning.jobs.create({ model: 'gpt-4o-mini', training_file: 'file-missing' })).rejects.toMatchObject({ status: 400, param: 'training_file' });
    const short = await upload(line('q', 'a'));
    const shortJob = await run((await openai.fineTuning.jobs.create({ model: 'gpt-4o-mini', training_file: short.id })).id);
    expect(shortJob.error).toMatchObject({ code: 'invalid_training_file', message: expect.stringContaining('at least 3 examples') });
    const good = await upload(goodFile);
    const badValidation = await upload(`${line('q', 'a')}\n{"messages": "nope"}\n`);
    const job = await run((await openai.fineTuning.jobs.create({ model: 'gpt-4o-mini', training_file: good.id, validation_file: badValidation.id })).id);
    expect(job.status).toBe('failed');
    expect(job.error).toMatchObject({ code: 'invalid_validation_file', param: 'validation_file', message: expect.stringContaining('Line 2') });
  });

  it('fails only the job a planned failure matches, and cancels', async () => {
    fake.failNext({ code: 'boom', message: 'it broke' }, { baseModel: 'gpt-4o' });
    const file = await upload(goodFile);
    const other = await openai.fineTuning.jobs.create({ model: 'gpt-4o-mini', training_file: file.id });
    const target = await openai.fineTuning.jobs.create({ model: 'gpt-4o', training_file: file.id });
    expect((await run(target.id)).error).toEqual({ code: 'boom', message: 'it broke', param: null });
    expect((await run(other.id)).status).toBe('succeeded');

    const doomed = await openai.fineTuning.jobs.create({ model: 'gpt-4o-mini', training_file: file.id });
    fake.tick();
    expect((await openai.fineTuning.jobs.cancel(doomed.id)).status).toBe('cancelled');
    fake.tick();
    expect((await openai.fineTuning.jobs.retrieve(doomed.id)).status).toBe('cancelled');
    await expect(openai.fineTuning.jobs.cancel(doomed.id)).rejects.toMatchObject({ status: 400 });
    await expect(openai.chat.completions.create({ model: `ft:gpt-4o-mini::${doomed.id}`, messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
      status: 404,
      code: 'model_not_found',
    });
  });

  it('holds jobs in running until released', async () => {
    fake.hold({ afterStep: 1 });
    const file = await upload(goodFile);
    const { id } = await openai.fineTuning.jobs.create({ model: 'gpt-4o-mini', training_file: file.id });
    for (let i = 0; i < 10; i++) fake.tick();
    expect((await openai.fineTuning.jobs.retrieve(id)).status).toBe('running');
    fake.release();
    expect((await run(id)).status).toBe('succeeded');
  });
});
