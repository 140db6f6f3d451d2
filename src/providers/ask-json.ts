import type { z } from 'zod';
import { blockDelimiters, encodeDataJson, newNonce } from '../core/data-block.ts';
import { completeChat } from './complete-chat.ts';
import type { ProviderRegistry } from './registry.ts';

export interface AskJsonOptions<S extends z.ZodType> {
  model: string;
  apiKey?: string | undefined;
  /** The system prompt, given the data block's delimiters (unique to this request). */
  system: (open: string, close: string) => string;
  /** Tag of the data block (`<tag id="nonce">`). */
  tag: string;
  /** The data, sent as escaped JSON between the delimiters: never instructions. */
  data: unknown;
  schemaName: string;
  jsonSchema: Record<string, unknown>;
  schema: S;
  maxTokens: number;
  temperature?: number;
  timeoutMs?: number;
  signal?: AbortSignal | undefined;
}

/**
 * The gateway's own structured question to a configured model (summaries, diagnosis, prompt
 * proposals): data between delimiters, a JSON-schema answer validated with zod. Throws when the call
 * fails or the answer does not fit, naming the field.
 */
export async function askJson<S extends z.ZodType>(registry: ProviderRegistry, o: AskJsonOptions<S>): Promise<{ value: z.infer<S>; tokens: number }> {
  const { open, close } = blockDelimiters(o.tag, newNonce());
  const r = await completeChat(
    registry,
    {
      model: o.model,
      messages: [
        { role: 'system', content: o.system(open, close) },
        { role: 'user', content: `${open}\n${encodeDataJson(o.data)}\n${close}` },
      ],
      response_format: { type: 'json_schema', json_schema: { name: o.schemaName, strict: true, schema: o.jsonSchema } },
      max_tokens: o.maxTokens,
      temperature: o.temperature ?? 0,
    },
    { ...(o.apiKey ? { apiKey: o.apiKey } : {}), ...(o.signal ? { signal: o.signal } : {}), timeoutMs: o.timeoutMs ?? 60_000 },
  );
  let raw: unknown;
  try {
    raw = JSON.parse(r.completion.choices[0]?.message?.content ?? '');
  } catch {
    throw new Error(`${o.model} did not answer with JSON`);
  }
  const parsed = o.schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${o.model}'s answer does not fit: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim());
  }
  return { value: parsed.data, tokens: r.usage.inputTokens + r.usage.outputTokens };
}
