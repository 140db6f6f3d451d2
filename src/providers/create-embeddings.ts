import { postProviderJson, UpstreamHttpError, type CompleteChatOptions } from './complete-chat.ts';
import type { ProviderRegistry } from './registry.ts';

export interface EmbeddingsResult {
  /** One vector per input, in input order. */
  vectors: number[][];
  provider: string;
  servedModel: string;
  inputTokens: number;
  latencyMs: number;
}

interface EmbeddingsBody {
  data?: { index?: number; embedding?: unknown }[];
  model?: string;
  usage?: { prompt_tokens?: number };
}

/**
 * The gateway's own embeddings call (pattern grouping) to an OpenAI-compatible provider, through the
 * providers' pools like live traffic. Anthropic serves no embeddings: asking one is an error.
 */
export async function createEmbeddings(registry: ProviderRegistry, model: string, inputs: string[], opts: CompleteChatOptions = {}): Promise<EmbeddingsResult> {
  const { provider, upstreamModel } = registry.resolve(model);
  if (provider.kind !== 'openai') throw new UpstreamHttpError(400, `provider ${provider.name} (${provider.kind}) serves no embeddings`);
  const { json, latencyMs } = await postProviderJson(provider, '/embeddings', { model: upstreamModel, input: inputs, encoding_format: 'float' }, opts);
  const body = json as EmbeddingsBody | null;
  const data = Array.isArray(body?.data) ? body.data : null;
  if (!data || data.length !== inputs.length) {
    throw new UpstreamHttpError(0, `provider ${provider.name} answered with ${data ? data.length : 'no'} embeddings for ${inputs.length} inputs`);
  }
  const vectors: number[][] = new Array<number[]>(inputs.length);
  data.forEach((d, i) => {
    const at = typeof d.index === 'number' ? d.index : i;
    if (!Array.isArray(d.embedding) || !d.embedding.every((x) => typeof x === 'number') || at < 0 || at >= inputs.length) {
      throw new UpstreamHttpError(0, `provider ${provider.name} answered with a malformed embedding`);
    }
    vectors[at] = d.embedding as number[];
  });
  return {
    vectors,
    provider: provider.name,
    servedModel: typeof body?.model === 'string' && body.model ? body.model : upstreamModel,
    inputTokens: body?.usage?.prompt_tokens ?? 0,
    latencyMs,
  };
}
