/** The Files and Fine-tuning routes, the API key check, and `404 model_not_found` for unknown tuned models. */
import type { ServerResponse } from 'node:http';
import type { FileObject } from 'openai/resources/files';
import { isRecord, openaiHeaders, type FakeRoute, type RecordedRequest } from '../fake-upstream/index.ts';
import { filePurposes, type FileStore } from './file-store.ts';
import type { JobEngine } from './job-engine.ts';
import { jobRequestOf } from './job-request.ts';
import { formOf, pageOf, sendError, sendOk, WireError } from './wire-io.ts';

export interface RouteDeps {
  files: FileStore;
  engine: JobEngine;
  apiKey: string | undefined;
}

function masked(key: string): string {
  return key.length <= 8 ? '*'.repeat(key.length) : `${key.slice(0, 3)}${'*'.repeat(Math.min(20, key.length - 7))}${key.slice(-4)}`;
}

/** OpenAI's 401s; null when the request may pass. */
function authProblem(rec: RecordedRequest, apiKey: string | undefined): { message: string; code?: string } | null {
  if (apiKey === undefined) return null;
  const header = rec.headers['authorization'];
  const given = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
  if (!given) return { message: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)." };
  if (given !== apiKey) return { message: `Incorrect API key provided: ${masked(given)}. You can find your API key at https://platform.openai.com/account/api-keys.`, code: 'invalid_api_key' };
  return null;
}

async function uploadFile(deps: RouteDeps, rec: RecordedRequest): Promise<FileObject> {
  const form = await formOf(rec.rawBody, rec.headers['content-type']);
  const purpose = form.get('purpose');
  const file = form.get('file');
  if (typeof purpose !== 'string') throw new WireError(400, "'purpose' is a required property", 'purpose');
  if (!(filePurposes as readonly string[]).includes(purpose)) throw new WireError(400, `Invalid value for 'purpose': '${purpose}'.`, 'purpose');
  if (file === null || typeof file === 'string') throw new WireError(400, "'file' is a required property", 'file');
  return deps.files.add(file.name || 'upload', purpose as FileObject['purpose'], await file.text());
}

function fileRoute(deps: RouteDeps, res: ServerResponse, method: string, parts: string[]): boolean {
  const [id, sub] = parts;
  if (method !== 'GET' || id === undefined || parts.length > 2 || (sub !== undefined && sub !== 'content')) return false;
  const stored = deps.files.get(id);
  if (!stored) throw new WireError(404, `No such File object: ${id}`, 'id');
  if (sub === undefined) {
    sendOk(res, stored.file);
    return true;
  }
  res.writeHead(200, { ...openaiHeaders(), 'content-type': 'application/octet-stream', 'content-length': Buffer.byteLength(stored.content) });
  res.end(stored.content);
  return true;
}

function jobRoute(deps: RouteDeps, rec: RecordedRequest, res: ServerResponse, parts: string[], query: URLSearchParams): boolean {
  const { engine } = deps;
  const [id, sub] = parts;
  if (id === undefined) {
    if (rec.method === 'GET') {
      sendOk(res, pageOf(engine.list().map((s) => s.job), query, 20));
      return true;
    }
    if (rec.method !== 'POST') return false;
    if (!isRecord(rec.body)) throw new WireError(400, 'We could not parse the JSON body of your request.');
    sendOk(res, engine.create(jobRequestOf(deps.files, rec.body)));
    return true;
  }
  if (parts.length > 2) return false;
  const state = engine.get(id);
  if (!state) throw new WireError(404, `Could not find fine-tuning job: ${id}`, 'fine_tuning_job_id', 'fine_tune_not_found');
  const route = `${rec.method} ${sub ?? ''}`;
  switch (route) {
    case 'GET ': sendOk(res, state.job); return true;
    case 'GET events': sendOk(res, pageOf([...state.events].reverse(), query, 20)); return true;
    case 'GET checkpoints': sendOk(res, pageOf([...state.checkpoints].reverse(), query, 10, true)); return true;
    case 'POST cancel': {
      const job = engine.cancel(id);
      if (!job) throw new WireError(400, `Job ${id} has already finished with status '${state.job.status}' and cannot be cancelled.`);
      sendOk(res, job);
      return true;
    }
    default: return false;
  }
}

function unknownTunedModel(deps: RouteDeps, rec: RecordedRequest, pathname: string): string | null {
  if (rec.method !== 'POST' || (pathname !== '/v1/chat/completions' && pathname !== '/v1/responses') || !isRecord(rec.body)) return null;
  const model = rec.body['model'];
  return typeof model === 'string' && model.startsWith('ft:') && !deps.engine.learned.has(model) ? model : null;
}

async function answer(deps: RouteDeps, rec: RecordedRequest, res: ServerResponse, pathname: string): Promise<boolean> {
  if (pathname === '/v1/messages') return false;
  const auth = authProblem(rec, deps.apiKey);
  if (auth) {
    sendError(res, 401, auth.message, auth.code ? { code: auth.code } : {});
    return true;
  }
  const ghost = unknownTunedModel(deps, rec, pathname);
  if (ghost) throw new WireError(404, `The model \`${ghost}\` does not exist or you do not have access to it.`, undefined, 'model_not_found');
  const query = new URL(rec.path, 'http://fake').searchParams;
  const parts = pathname.split('/').filter(Boolean).slice(1);
  if (parts[0] === 'files') {
    if (parts.length === 1 && rec.method === 'POST') {
      sendOk(res, await uploadFile(deps, rec));
      return true;
    }
    return fileRoute(deps, res, rec.method, parts.slice(1));
  }
  if (parts[0] === 'fine_tuning' && parts[1] === 'jobs') return jobRoute(deps, rec, res, parts.slice(2), query);
  return false;
}

/** The fake upstream's `route` hook serving the Files and Fine-tuning APIs. */
export function fineTuningRoute(deps: RouteDeps): FakeRoute {
  return async (rec, res, pathname) => {
    try {
      return await answer(deps, rec, res, pathname);
    } catch (err) {
      if (!(err instanceof WireError)) throw err;
      const opts: { param?: string; code?: string } = {};
      if (err.param !== undefined) opts.param = err.param;
      if (err.code !== undefined) opts.code = err.code;
      sendError(res, err.status, err.message, opts);
      return true;
    }
  };
}
