/** Anthropic `POST /v1/messages`, streaming (the real event sequence) and not, text or tool_use. */
import { answerPlanned, argumentHalves } from './answer.ts';
import { anthropicError, anthropicHeaders, sendJson, sseData, type Exchange, type StreamEvent } from './http-io.ts';
import { judgeReply } from './judge.ts';
import { isRecord, nextId, planReply, textOf, type ReplyInput, type ReplyPlan } from './reply-plan.ts';

const stopReasonByFinish = { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use' } as const;

/** Text blocks only (tool results excluded). */
function userTextOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter(isRecord)
    .flatMap((b) => (b.type === 'text' && typeof b.text === 'string' ? [b.text] : []))
    .join(' ');
}

function toolResultsOf(content: unknown): Record<string, unknown>[] {
  return Array.isArray(content) ? content.filter(isRecord).filter((b) => b.type === 'tool_result') : [];
}

export function messagesInput(body: Record<string, unknown>): ReplyInput {
  const messages = Array.isArray(body.messages) ? body.messages.filter(isRecord) : [];
  let allText = textOf(body.system);
  let lastUserText = '';
  for (const m of messages) {
    allText += textOf(m.content);
    const text = m.role === 'user' ? userTextOf(m.content) : '';
    if (text) lastUserText = text;
  }
  const last = messages.at(-1);
  const results = last?.role === 'user' ? toolResultsOf(last.content) : [];
  const endsWithToolResult = results.length > 0;
  const tools = Array.isArray(body.tools) ? body.tools.filter(isRecord) : [];
  const toolNames = tools.flatMap((t) => (typeof t.name === 'string' ? [t.name] : []));
  const echoText = endsWithToolResult ? results.map((r) => textOf(r.content)).join(' ') : lastUserText;
  return { lastUserText, allText, endsWithToolResult, toolNames, echoText };
}

/** Returns an error message when the request would be refused by the real API, else null. */
function refusal(headers: Record<string, string>, body: Record<string, unknown>): { status: number; message: string } | null {
  // @anthropic-ai/sdk v1 sends its apiKey as `authorization: Bearer`; older clients send x-api-key.
  const bearer = /^Bearer \S/i.test(headers.authorization ?? '');
  if (!headers['x-api-key'] && !bearer) return { status: 401, message: 'x-api-key header is required' };
  if (!headers['anthropic-version']) return { status: 400, message: 'anthropic-version: header is required' };
  if (typeof body.max_tokens !== 'number') return { status: 400, message: 'max_tokens: Field required' };
  if (!Array.isArray(body.messages)) return { status: 400, message: 'messages: Field required' };
  return null;
}

export async function handleMessages(ex: Exchange, headers: Record<string, string>, body: Record<string, unknown>): Promise<void> {
  const refused = refusal(headers, body);
  if (refused) return sendJson(ex.res, refused.status, anthropicError(refused.status, refused.message), anthropicHeaders());
  const input = messagesInput(body);
  const plan = judgeReply(textOf(body.system), input) ?? planReply(input);
  const ctx = { id: nextId('msg_'), model: typeof body.model === 'string' ? body.model : 'claude-3-5-haiku-latest' };
  await answerPlanned(ex, plan, {
    headers: anthropicHeaders(),
    stream: body.stream === true,
    errorBody: anthropicError,
    json: () => messageJson(plan, ctx),
    events: () => messageEvents(plan, ctx),
  });
}

interface MessageContext {
  id: string;
  model: string;
}

const toolUseId = (callId: string) => `toolu_${callId.slice('call_'.length)}`;

function messageJson(plan: ReplyPlan, ctx: MessageContext): unknown {
  const content = plan.toolCalls.length
    ? plan.toolCalls.map((c) => ({ type: 'tool_use', id: toolUseId(c.id), name: c.name, input: JSON.parse(c.arguments) as unknown }))
    : [{ type: 'text', text: plan.content }];
  return {
    id: ctx.id,
    type: 'message',
    role: 'assistant',
    model: ctx.model,
    content,
    stop_reason: stopReasonByFinish[plan.finish],
    stop_sequence: null,
    usage: {
      input_tokens: plan.promptTokens,
      output_tokens: plan.completionTokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    },
  };
}

function messageEvents(plan: ReplyPlan, ctx: MessageContext): StreamEvent[] {
  const events: StreamEvent[] = [];
  const emit = (type: string, data: Record<string, unknown>, delta = false) =>
    events.push({ text: sseData({ type, ...data }, type), delta });
  emit('message_start', {
    message: {
      id: ctx.id,
      type: 'message',
      role: 'assistant',
      model: ctx.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: plan.promptTokens, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    },
  });
  if (plan.toolCalls.length) {
    plan.toolCalls.forEach((c, index) => {
      emit('content_block_start', { index, content_block: { type: 'tool_use', id: toolUseId(c.id), name: c.name, input: {} } });
      if (index === 0) emit('ping', {});
      for (const partial_json of argumentHalves(c.arguments)) {
        emit('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json } }, true);
      }
      emit('content_block_stop', { index });
    });
  } else {
    emit('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
    emit('ping', {});
    for (const text of plan.pieces) emit('content_block_delta', { index: 0, delta: { type: 'text_delta', text } }, true);
    emit('content_block_stop', { index: 0 });
  }
  emit('message_delta', {
    delta: { stop_reason: stopReasonByFinish[plan.finish], stop_sequence: null },
    usage: { output_tokens: plan.completionTokens },
  });
  emit('message_stop', {});
  return events;
}
