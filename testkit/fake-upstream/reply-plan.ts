/**
 * Directives in the last user message decide what the fake upstream answers. They are plain text,
 * so they survive the gateway's OpenAI <-> Anthropic translation:
 *
 *   [[error:429]] error of that status in the API's own shape, with retry-after: 7
 *   [[hang]]      accept and never answer          [[slow:MS]]  stream chunks MS apart
 *   [[cut]]       stream two content chunks, then destroy the socket
 *   [[tool:NAME]] one tool call to NAME with {"city":"Paris"}
 *   [[tools2]]    two parallel tool calls          [[json]]     content `{"answer":"ok"}`
 *   [[length]]    finish_reason length / stop_reason max_tokens
 *   [[words:N]]   N content chunks                 [[nul]]      content with \u0000 and \ud800
 *   [[leak-key]]  quote the request's key (Bearer or x-api-key), as careless upstreams do: in the
 *                 error message with [[error:N]], else as the answer's last word
 */

export interface Directives {
  error?: number;
  hang: boolean;
  slowMs: number;
  cut: boolean;
  tool?: string;
  tools2: boolean;
  json: boolean;
  length: boolean;
  words?: number;
  nul: boolean;
  leakKey: boolean;
}

export interface ToolCallPlan {
  id: string;
  name: string;
  /** JSON text of the arguments. */
  arguments: string;
}

export interface ReplyPlan {
  directives: Directives;
  /** Text content (empty when the answer is tool calls). */
  content: string;
  /** The content split into stream chunks; joined they equal `content`. */
  pieces: string[];
  toolCalls: ToolCallPlan[];
  finish: 'stop' | 'length' | 'tool_calls';
  promptTokens: number;
  completionTokens: number;
}

/** What the API handlers extract from a request before planning the reply. */
export interface ReplyInput {
  /** Text of the last user-authored message (tool results excluded). */
  lastUserText: string;
  /** All input text (system, messages, tool results) for prompt token counting. */
  allText: string;
  /** The conversation ends with a tool result: answer in text, ignoring tool directives. */
  endsWithToolResult: boolean;
  /** Tool names the request declares, used by [[tools2]]. */
  toolNames: string[];
  /** Text to echo back (the tool result when `endsWithToolResult`). */
  echoText: string;
}

const DIRECTIVE = /\[\[(error|hang|slow|cut|tool|tools2|json|length|words|nul|leak-key)(?::([^\]]*))?\]\]/g;

export function parseDirectives(text: string): Directives {
  const d: Directives = { hang: false, slowMs: 0, cut: false, tools2: false, json: false, length: false, nul: false, leakKey: false };
  for (const m of text.matchAll(DIRECTIVE)) {
    const arg = m[2] ?? '';
    switch (m[1]) {
      case 'error': d.error = clampInt(arg, 400, 100, 599); break;
      case 'hang': d.hang = true; break;
      case 'slow': d.slowMs = clampInt(arg, 100, 0, 60_000); break;
      case 'cut': d.cut = true; break;
      case 'tool': d.tool = arg.trim() || 'get_weather'; break;
      case 'tools2': d.tools2 = true; break;
      case 'json': d.json = true; break;
      case 'length': d.length = true; break;
      case 'words': d.words = clampInt(arg, 20, 1, 100_000); break;
      case 'nul': d.nul = true; break;
      case 'leak-key': d.leakKey = true; break;
    }
  }
  return d;
}

export function stripDirectives(text: string): string {
  return text.replace(DIRECTIVE, '').replace(/\s+/g, ' ').trim();
}

function clampInt(s: string, fallback: number, min: number, max: number): number {
  const n = Number.parseInt(s, 10);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

export function countWords(text: string): number {
  let n = 0;
  for (const w of text.split(/\s+/)) if (w) n++;
  return n;
}

/** prompt tokens = characters of input / 4, rounded up. */
export function promptTokensOf(text: string): number {
  return Math.ceil(text.length / 4);
}

let idCounter = 0;
export function nextId(prefix: string): string {
  idCounter = (idCounter + 1) % 1e9;
  return `${prefix}${Date.now().toString(36)}${idCounter.toString(36).padStart(6, '0')}`;
}

/** A plain text answer (no directives, no tools) for a request whose input text is `inputText`. */
export function textReply(content: string, inputText: string, finish: 'stop' | 'length' = 'stop'): ReplyPlan {
  return { directives: parseDirectives(''), content, pieces: splitPieces(content), toolCalls: [], finish, promptTokens: promptTokensOf(inputText), completionTokens: countWords(content) };
}

/** Split into chunks at word boundaries, each chunk keeping its leading space. */
export function splitPieces(content: string): string[] {
  const pieces = content.match(/\s*\S+|\s+$/g) ?? [];
  return pieces.length ? pieces : [content];
}

function plannedText(d: Directives, input: ReplyInput): { content: string; pieces: string[] } {
  if (d.json) return { content: '{"answer":"ok"}', pieces: ['{"answer":', '"ok"}'] };
  if (d.words !== undefined) {
    const pieces = Array.from({ length: d.words }, (_, i) => (i === 0 ? 'word1' : ` word${i + 1}`));
    return { content: pieces.join(''), pieces };
  }
  const echoed = stripDirectives(input.echoText);
  let content = echoed ? `Echo: ${echoed}` : 'Echo:';
  if (d.nul) content += ' nul\u0000here lone\ud800surrogate';
  return { content, pieces: splitPieces(content) };
}

function plannedTools(d: Directives, input: ReplyInput): ToolCallPlan[] {
  if (input.endsWithToolResult) return [];
  if (d.tools2) {
    const first = input.toolNames[0] ?? 'get_weather';
    const second = input.toolNames[1] ?? (first === 'get_time' ? 'get_weather' : 'get_time');
    return [
      { id: nextId('call_'), name: first, arguments: '{"city":"Paris"}' },
      { id: nextId('call_'), name: second, arguments: '{"city":"London"}' },
    ];
  }
  if (d.tool) return [{ id: nextId('call_'), name: d.tool, arguments: '{"city":"Paris"}' }];
  return [];
}

export function planReply(input: ReplyInput): ReplyPlan {
  const directives = parseDirectives(input.lastUserText);
  const toolCalls = plannedTools(directives, input);
  const text = toolCalls.length ? { content: '', pieces: [] } : plannedText(directives, input);
  const completionTokens = toolCalls.length
    ? toolCalls.reduce((n, c) => n + countWords(c.arguments), 0)
    : countWords(text.content);
  const finish = directives.length ? 'length' : toolCalls.length ? 'tool_calls' : 'stop';
  return {
    directives,
    content: text.content,
    pieces: text.pieces,
    toolCalls,
    finish,
    promptTokens: promptTokensOf(input.allText),
    completionTokens,
  };
}

/** Text of a content value: a string, or an array of parts with `text` (OpenAI, Responses, Anthropic). */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let out = '';
  for (const part of content) {
    if (typeof part === 'string') out += part;
    else if (isRecord(part)) {
      if (typeof part.text === 'string') out += (out ? ' ' : '') + part.text;
      else if (part.type === 'tool_result') out += (out ? ' ' : '') + textOf(part.content);
    }
  }
  return out;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
