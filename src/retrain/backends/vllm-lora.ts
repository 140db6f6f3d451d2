import { AppError } from '../../core/errors.ts';
import { authHeaders, type Provider } from '../../providers/index.ts';

/**
 * vLLM's run-time LoRA loading: `POST <base>/load_lora_adapter` with `{lora_name, lora_path}`,
 * served only when vLLM runs with `--enable-lora` and `VLLM_ALLOW_RUNTIME_LORA_UPDATING=True`.
 * It answers 200 with a text ("Success: LoRA adapter '…' added successfully."), and 400 with
 * "The lora adapter '…' has already been loaded." for a name it holds: the same adapter deployed
 * again (a retried job), which counts as success here.
 */

const LOAD_TIMEOUT_MS = 120_000;
const ALREADY_LOADED = /has already been loaded/i;
const ERROR_BODY_CHARS = 500;

export async function loadLoraAdapter(provider: Provider, adapter: { name: string; path: string }, signal?: AbortSignal): Promise<'loaded' | 'already_loaded'> {
  const body = JSON.stringify({ lora_name: adapter.name, lora_path: adapter.path });
  const timeout = AbortSignal.timeout(LOAD_TIMEOUT_MS);
  const response = await provider.pool
    .request({
      path: `${provider.basePath}/load_lora_adapter`,
      method: 'POST',
      headers: { ...provider.headers, ...authHeaders(provider, provider.apiKey ?? null), 'content-type': 'application/json', accept: 'application/json' },
      body,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    })
    .catch((cause: unknown) => {
      throw new AppError('upstream_unreachable', `retrain.local.serveProvider ${provider.name}: load_lora_adapter failed (${(cause as Error).name})`, { cause });
    });
  const text = await response.body.text();
  if (response.statusCode >= 200 && response.statusCode < 300) return 'loaded';
  if (response.statusCode === 400 && ALREADY_LOADED.test(text)) return 'already_loaded';
  const detail = errorMessageOf(text);
  const hint = response.statusCode === 404 || response.statusCode === 405
    ? ' (is it vLLM started with --enable-lora and VLLM_ALLOW_RUNTIME_LORA_UPDATING=True?)'
    : '';
  throw new AppError('upstream_unreachable', `retrain.local.serveProvider ${provider.name}: load_lora_adapter answered ${response.statusCode}${hint}${detail ? `: ${detail}` : ''}`);
}

/** vLLM's error message (`{error: {message}}`, or the older flat `{message}`), else the text, bounded. */
function errorMessageOf(text: string): string {
  let message = text;
  try {
    const parsed = JSON.parse(text) as { message?: unknown; error?: { message?: unknown } | string };
    const nested = typeof parsed.error === 'object' && parsed.error ? parsed.error.message : parsed.error;
    message = typeof nested === 'string' ? nested : typeof parsed.message === 'string' ? parsed.message : text;
  } catch {
    // not JSON: the text itself
  }
  message = message.trim();
  return message.length > ERROR_BODY_CHARS ? `${message.slice(0, ERROR_BODY_CHARS)}…` : message;
}
