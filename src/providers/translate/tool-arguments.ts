import { AppError, isRecord } from '../../core/index.ts';

/**
 * A tool call's `arguments` string → the object Anthropic wants as `input`. An empty string means no arguments.
 * Anything else that is not a JSON object is the client's mistake: an AppError naming `param`.
 */
export function parseToolArguments(text: string, param: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new AppError('invalid_request', 'Tool call arguments are not valid JSON.', { param, cause });
  }
  if (!isRecord(value)) throw new AppError('invalid_request', 'Tool call arguments must be a JSON object.', { param });
  return value;
}

/** For an upstream's output, where a bad argument string must not fail the whole answer: `{}` instead. */
export function parseToolArgumentsLeniently(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : {};
  } catch {
    return {};
  }
}

/**
 * Anthropic accepts tool_use ids matching `^[a-zA-Z0-9_-]+$`; some OpenAI-compatible upstreams mint ids such as
 * `functions.get_weather:0`. The same mapping is applied to a tool call and to the tool result answering it.
 */
export function anthropicToolUseId(id: string): string {
  const safe = id.replace(/[^a-zA-Z0-9_-]/g, '_');
  return safe === '' ? 'toolu_empty' : safe;
}
