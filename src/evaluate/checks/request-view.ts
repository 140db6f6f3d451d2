import { arrayOf, isRecord, objOf, strOrNull, type JsonRecord } from '../../core/index.ts';
import type { CallView } from '../types.ts';

/** What output format the request asked for; `source` says where, for messages (`response_format json_schema`). */
export type RequestedFormat =
  | { type: 'json_object'; source: string }
  | { type: 'json_schema'; source: string; name: string | null; schema: JsonRecord | boolean };

/** A tool the request offered: its parameters schema (null when none was given) and whether it takes free text. */
export interface OfferedTool {
  name: string;
  parameters: JsonRecord | boolean | null;
  freeform: boolean;
}

/** The tools offered; `known` is false when the request may carry tools we cannot see (a stored prompt). */
export interface OfferedTools {
  known: boolean;
  byName: Map<string, OfferedTool>;
}

const schemaOf = (v: unknown): JsonRecord | boolean | null => (isRecord(v) || typeof v === 'boolean' ? v : null);

function formatFrom(format: unknown, source: string, nested: boolean): RequestedFormat | null {
  if (!isRecord(format)) return null;
  if (format['type'] === 'json_object') return { type: 'json_object', source: `${source} json_object` };
  if (format['type'] !== 'json_schema') return null;
  const holder = nested ? objOf(format['json_schema']) : format;
  const schema = schemaOf(holder['schema']);
  if (schema === null) return { type: 'json_object', source: `${source} json_schema` };
  return { type: 'json_schema', source: `${source} json_schema`, name: strOrNull(holder['name']), schema };
}

/** The JSON output the request asked for, on any route; null when it asked for none. */
export function requestedFormat(call: CallView): RequestedFormat | null {
  const req = call.request;
  if (!isRecord(req)) return null;
  if (call.route === 'chat.completions') return formatFrom(req['response_format'], 'response_format', true);
  if (call.route === 'responses') return formatFrom(objOf(req['text'])['format'], 'text.format', false);
  if (call.route === 'messages') {
    return formatFrom(objOf(req['output_config'])['format'], 'output_config.format', false) ?? formatFrom(req['output_format'], 'output_format', false);
  }
  return null;
}

function chatTools(req: JsonRecord): OfferedTool[] {
  const tools = arrayOf(req['tools']).flatMap((t): OfferedTool[] => {
    if (!isRecord(t)) return [];
    if (isRecord(t['custom'])) return [{ name: strOrNull(t['custom']['name']) ?? '', parameters: null, freeform: true }];
    const f = objOf(t['function']);
    const name = strOrNull(f['name']);
    return name === null ? [] : [{ name, parameters: schemaOf(f['parameters']), freeform: false }];
  });
  for (const f of arrayOf(req['functions'])) {
    if (isRecord(f) && typeof f['name'] === 'string') tools.push({ name: f['name'], parameters: schemaOf(f['parameters']), freeform: false });
  }
  return tools;
}

function flatTools(req: JsonRecord, schemaKey: string): OfferedTool[] {
  return arrayOf(req['tools']).flatMap((t): OfferedTool[] => {
    if (!isRecord(t) || typeof t['name'] !== 'string') return [];
    return [{ name: t['name'], parameters: schemaOf(t[schemaKey]), freeform: t['type'] === 'custom' }];
  });
}

/** The tools the request offered, by name. */
export function offeredTools(call: CallView): OfferedTools {
  const req = objOf(call.request);
  let tools: OfferedTool[] = [];
  let known = true;
  if (call.route === 'chat.completions') tools = chatTools(req);
  else if (call.route === 'messages') tools = flatTools(req, 'input_schema');
  else if (call.route === 'responses') {
    tools = flatTools(req, 'parameters');
    // a stored prompt (`prompt: { id }`) may bring tools the request does not list
    known = tools.length > 0 || !isRecord(req['prompt']);
  }
  return { known, byName: new Map(tools.map((t) => [t.name, t])) };
}

/** The output token limit the request set, if any. */
export function requestedMaxTokens(call: CallView): number | null {
  const req = objOf(call.request);
  for (const key of ['max_completion_tokens', 'max_tokens', 'max_output_tokens']) {
    const v = req[key];
    if (typeof v === 'number') return v;
  }
  return null;
}
