/**
 * Recorded calls of each route, shaped as the recorder stores them (streams already assembled), for
 * the checks' tests. Wire pieces are typed with the official SDKs' types so they stay realistic.
 */
import type { ContentBlock, Message, MessageCreateParams, StopReason } from '@anthropic-ai/sdk/resources/messages';
import type { ChatCompletion, ChatCompletionCreateParams, ChatCompletionMessageToolCall } from 'openai/resources/chat/completions';
import type { ResponseCreateParams, ResponseFunctionToolCall, ResponseOutputItem, ResponseOutputMessage } from 'openai/resources/responses/responses';
import type { CallView } from '../types.ts';

export function callOf(route: string, request: unknown, response: unknown, over: Partial<CallView> = {}): CallView {
  return { id: 'call_test', component: 'test', route, status: 'success', httpStatus: 200, error: null, finishReasons: [], outputTokens: null, request, response, ...over };
}

// ---------- OpenAI chat completions ----------

export const chatRequest = (extra: Partial<ChatCompletionCreateParams> = {}): ChatCompletionCreateParams => ({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'classify: my invoice is wrong' }],
  ...extra,
});

export const chatToolCall = (name: string, args: string, id = 'call_1'): ChatCompletionMessageToolCall => ({ id, type: 'function', function: { name, arguments: args } });

export function chatCompletion(
  content: string | null,
  extra: { finish_reason?: ChatCompletion.Choice['finish_reason']; tool_calls?: ChatCompletionMessageToolCall[]; refusal?: string | null } = {},
): ChatCompletion {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'gpt-4o-mini',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal: extra.refusal ?? null, ...(extra.tool_calls ? { tool_calls: extra.tool_calls } : {}) },
        finish_reason: extra.finish_reason ?? (extra.tool_calls ? 'tool_calls' : 'stop'),
        logprobs: null,
      },
    ],
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  };
}

/** What the recorder assembles from a chat stream (no `refusal: null`, tool calls without ids when none came). */
export function assembledChatStream(content: string | null, extra: { finish_reason?: string; refusal?: string; tool_calls?: { id?: string; name: string; arguments: string }[] } = {}) {
  const toolCalls = extra.tool_calls?.map((t) => ({ ...(t.id ? { id: t.id } : {}), type: 'function', function: { name: t.name, arguments: t.arguments } }));
  return {
    id: 'chatcmpl-2',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'gpt-4o-mini',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, ...(extra.refusal ? { refusal: extra.refusal } : {}), ...(toolCalls ? { tool_calls: toolCalls } : {}) },
        finish_reason: extra.finish_reason ?? 'stop',
      },
    ],
    usage: null,
  };
}

export const chatCall = (response: unknown, request: Partial<ChatCompletionCreateParams> = {}, over: Partial<CallView> = {}): CallView =>
  callOf('chat.completions', chatRequest(request), response, over);

// ---------- Anthropic messages ----------

export const anthropicRequest = (extra: Partial<MessageCreateParams> = {}): MessageCreateParams => ({
  model: 'claude-3-5-haiku-latest',
  max_tokens: 256,
  messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
  ...extra,
});

export const textBlock = (text: string): ContentBlock => ({ type: 'text', text, citations: null });
export const toolUseBlock = (name: string, input: unknown, id = 'toolu_1'): ContentBlock => ({ type: 'tool_use', id, name, input, caller: { type: 'direct' } });

export function anthropicMessage(content: ContentBlock[], stop_reason: StopReason = 'end_turn'): Message {
  return {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude-3-5-haiku-latest',
    content,
    stop_reason,
    stop_sequence: null,
    usage: { input_tokens: 12, output_tokens: 7 },
  } as Message; // usage carries more optional-by-version fields than the tests need
}

export const anthropicCall = (response: unknown, request: Partial<MessageCreateParams> = {}, over: Partial<CallView> = {}): CallView =>
  callOf('messages', anthropicRequest(request), response, over);

// ---------- OpenAI Responses ----------

export const responsesRequest = (extra: Partial<ResponseCreateParams> = {}): ResponseCreateParams => ({ model: 'gpt-4o-mini', input: 'Extract the invoice', ...extra });

export const responsesText = (text: string): ResponseOutputMessage => ({
  type: 'message',
  id: 'msg_1',
  role: 'assistant',
  status: 'completed',
  content: [{ type: 'output_text', text, annotations: [] }],
});

export const responsesRefusal = (refusal: string): ResponseOutputMessage => ({
  type: 'message',
  id: 'msg_2',
  role: 'assistant',
  status: 'completed',
  content: [{ type: 'refusal', refusal }],
});

export const responsesFunctionCall = (name: string, args: string, callId = 'call_1'): ResponseFunctionToolCall => ({ type: 'function_call', id: 'fc_1', call_id: callId, name, arguments: args, status: 'completed' });

/** The final `response` object (of a non-stream answer, or of `response.completed` / `response.incomplete` / `response.failed`). */
export function responsesObject(
  output: ResponseOutputItem[],
  extra: { status?: 'completed' | 'incomplete' | 'failed'; incomplete?: 'max_output_tokens' | 'content_filter'; error?: { code: string; message: string } } = {},
) {
  return {
    id: 'resp_1',
    object: 'response',
    created_at: 1_700_000_000,
    status: extra.status ?? (extra.incomplete ? 'incomplete' : 'completed'),
    error: extra.error ?? null,
    incomplete_details: extra.incomplete ? { reason: extra.incomplete } : null,
    model: 'gpt-4o-mini',
    output,
    usage: { input_tokens: 10, output_tokens: 5, total_tokens: 15 },
  };
}

export const responsesCall = (response: unknown, request: Partial<ResponseCreateParams> = {}, over: Partial<CallView> = {}): CallView =>
  callOf('responses', responsesRequest(request), response, over);
