/** Checking a `POST /v1/fine_tuning/jobs` body the way OpenAI does (the parts the fake knows). */
import { isRecord } from '../fake-upstream/index.ts';
import type { FileStore } from './file-store.ts';
import type { JobRequest } from './job-wire.ts';
import { WireError } from './wire-io.ts';

type Auto = 'auto' | number;

function autoOrNumber(value: unknown, name: string, integer: boolean): Auto {
  if (value === undefined || value === null || value === 'auto') return 'auto';
  if (typeof value === 'number' && value > 0 && (!integer || Number.isInteger(value))) return value;
  throw new WireError(400, `Invalid value for '${name}': expected 'auto' or a positive ${integer ? 'integer' : 'number'}.`, `hyperparameters.${name}`);
}

function hyperparametersOf(body: Record<string, unknown>): JobRequest['hyperparameters'] {
  const method = body['method'];
  let h: unknown = body['hyperparameters'];
  if (method !== undefined && method !== null) {
    if (!isRecord(method) || method['type'] !== 'supervised') throw new WireError(400, "The fake fine-tuning API supports only method.type 'supervised'.", 'method.type');
    const supervised = method['supervised'];
    if (isRecord(supervised) && supervised['hyperparameters'] !== undefined) {
      if (h !== undefined) throw new WireError(400, "Pass hyperparameters either in 'method' or (deprecated) at the top level, not both.", 'hyperparameters');
      h = supervised['hyperparameters'];
    }
  }
  const hp = isRecord(h) ? h : {};
  return {
    n_epochs: autoOrNumber(hp['n_epochs'], 'n_epochs', true),
    batch_size: autoOrNumber(hp['batch_size'], 'batch_size', true),
    learning_rate_multiplier: autoOrNumber(hp['learning_rate_multiplier'], 'learning_rate_multiplier', false),
  };
}

function fileParam(files: FileStore, body: Record<string, unknown>, name: 'training_file' | 'validation_file'): string | null {
  const id = body[name];
  if (id === undefined || id === null) {
    if (name === 'training_file') throw new WireError(400, "Missing required parameter: 'training_file'.", name);
    return null;
  }
  if (typeof id !== 'string') throw new WireError(400, `Invalid type for '${name}': expected a string.`, name);
  const file = files.get(id);
  if (!file) throw new WireError(400, `invalid ${name}: ${id}`, name);
  if (file.file.purpose !== 'fine-tune') throw new WireError(400, `File ${id} has purpose '${file.file.purpose}'; fine-tuning needs purpose 'fine-tune'.`, name);
  return id;
}

export function jobRequestOf(files: FileStore, body: Record<string, unknown>): JobRequest {
  const model = body['model'];
  if (typeof model !== 'string' || !model) throw new WireError(400, "Missing required parameter: 'model'.", 'model');
  const suffix = body['suffix'];
  if (suffix !== undefined && suffix !== null && (typeof suffix !== 'string' || suffix.length > 64)) {
    throw new WireError(400, "Invalid 'suffix': expected a string of at most 64 characters.", 'suffix');
  }
  const seed = body['seed'];
  const metadata = body['metadata'];
  return {
    model,
    trainingFile: fileParam(files, body, 'training_file') as string,
    validationFile: fileParam(files, body, 'validation_file'),
    suffix: typeof suffix === 'string' ? suffix : null,
    hyperparameters: hyperparametersOf(body),
    seed: typeof seed === 'number' ? seed : null,
    metadata: isRecord(metadata) ? (metadata as Record<string, string>) : null,
    raw: body,
  };
}
