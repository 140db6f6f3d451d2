import type { ChatCompletionCreateParams } from 'openai/resources/chat/completions';

/**
 * OpenAI's `response_format` has no counterpart in Anthropic's basic Messages API. (`output_config.format` exists,
 * but not every Claude model accepts it.) So a JSON format is translated into an instruction appended to the
 * system prompt: answer with one JSON object only, conforming to the schema when one is given. This asks for
 * the format; unlike OpenAI's strict mode it does not guarantee it.
 */
export function responseFormatInstruction(format: ChatCompletionCreateParams['response_format']): string | null {
  if (!format || format.type === 'text') return null;
  const base =
    'Respond with a single JSON object and nothing else: no prose before or after it, and no Markdown code fences.';
  if (format.type === 'json_object') return base;
  const { name, description, schema } = format.json_schema;
  if (!schema) return base;
  const about = description ? ` (${name}: ${description})` : ` (${name})`;
  return `${base}\nThe JSON object must conform to this JSON Schema${about}:\n${JSON.stringify(schema)}`;
}
