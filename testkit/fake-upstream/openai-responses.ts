/** `POST /v1/responses`, streaming (the official event sequence) and not, text or function calls. */
import { answerPlanned, argumentHalves } from './answer.ts';
import { openaiError, openaiHeaders, sseData, type Exchange, type StreamEvent } from './http-io.ts';
import { isRecord, nextId, planReply, textOf, type ReplyInput, type ReplyPlan } from './reply-plan.ts';

export function responsesInput(body: Record<string, unknown>): ReplyInput {
  let allText = typeof body.instructions === 'string' ? body.instructions : '';
  let lastUserText = '';
  let endsWithToolResult = false;
  let echoText = '';
  if (typeof body.input === 'string') {
    allText += body.input;
    lastUserText = body.input;
  } else if (Array.isArray(body.input)) {
    for (const item of body.input.filter(isRecord)) {
      const isToolResult = item.type === 'function_call_output';
      const text = isToolResult ? textOf(item.output) : textOf(item.content);
      allText += text;
      if (item.role === 'user') lastUserText = text;
      endsWithToolResult = isToolResult;
      if (isToolResult) echoText = text;
    }
  }
  const tools = Array.isArray(body.tools) ? body.tools.filter(isRecord) : [];
  const toolNames = tools.flatMap((t) => (typeof t.name === 'string' ? [t.name] : []));
  return { lastUserText, allText, endsWithToolResult, toolNames, echoText: endsWithToolResult ? echoText : lastUserText };
}

export async function handleResponses(ex: Exchange, body: Record<string, unknown>): Promise<void> {
  const plan = planReply(responsesInput(body));
  const ctx: ResponsesContext = {
    id: nextId('resp_'),
    messageId: nextId('msg_'),
    createdAt: Math.floor(Date.now() / 1000),
    model: typeof body.model === 'string' ? body.model : 'gpt-4o-mini',
    instructions: typeof body.instructions === 'string' ? body.instructions : null,
  };
  await answerPlanned(ex, plan, {
    headers: openaiHeaders(),
    stream: body.stream === true,
    errorBody: openaiError,
    json: () => responseObject(plan, ctx, true),
    events: () => responseEvents(plan, ctx),
  });
}

interface ResponsesContext {
  id: string;
  messageId: string;
  createdAt: number;
  model: string;
  instructions: string | null;
}

function outputItems(plan: ReplyPlan, ctx: ResponsesContext): Record<string, unknown>[] {
  if (plan.toolCalls.length) {
    return plan.toolCalls.map((c) => ({
      type: 'function_call',
      id: `fc_${c.id}`,
      call_id: c.id,
      name: c.name,
      arguments: c.arguments,
      status: 'completed',
    }));
  }
  const text = { type: 'output_text', text: plan.content, annotations: [], logprobs: [] };
  return [{ type: 'message', id: ctx.messageId, status: 'completed', role: 'assistant', content: [text] }];
}

function responseObject(plan: ReplyPlan, ctx: ResponsesContext, done: boolean): Record<string, unknown> {
  const incomplete = plan.finish === 'length';
  return {
    id: ctx.id,
    object: 'response',
    created_at: ctx.createdAt,
    status: done ? (incomplete ? 'incomplete' : 'completed') : 'in_progress',
    error: null,
    incomplete_details: done && incomplete ? { reason: 'max_output_tokens' } : null,
    instructions: ctx.instructions,
    max_output_tokens: null,
    model: ctx.model,
    output: done ? outputItems(plan, ctx) : [],
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: true,
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage: done
      ? {
          input_tokens: plan.promptTokens,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: plan.completionTokens,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: plan.promptTokens + plan.completionTokens,
        }
      : null,
    user: null,
    metadata: {},
  };
}

function responseEvents(plan: ReplyPlan, ctx: ResponsesContext): StreamEvent[] {
  const events: StreamEvent[] = [];
  let seq = 0;
  const emit = (type: string, data: Record<string, unknown>, delta = false) =>
    events.push({ text: sseData({ type, sequence_number: seq++, ...data }, type), delta });
  emit('response.created', { response: responseObject(plan, ctx, false) });
  emit('response.in_progress', { response: responseObject(plan, ctx, false) });
  const items = outputItems(plan, ctx);
  items.forEach((item, output_index) => {
    if (item.type === 'function_call') {
      const args = String(item.arguments);
      emit('response.output_item.added', { output_index, item: { ...item, arguments: '', status: 'in_progress' } });
      for (const delta of argumentHalves(args)) {
        emit('response.function_call_arguments.delta', { item_id: item.id, output_index, delta }, true);
      }
      emit('response.function_call_arguments.done', { item_id: item.id, output_index, arguments: args });
      emit('response.output_item.done', { output_index, item });
      return;
    }
    const item_id = ctx.messageId;
    const part = { type: 'output_text', text: '', annotations: [], logprobs: [] };
    emit('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', content: [] } });
    emit('response.content_part.added', { item_id, output_index, content_index: 0, part });
    for (const delta of plan.pieces) {
      emit('response.output_text.delta', { item_id, output_index, content_index: 0, delta, logprobs: [] }, true);
    }
    emit('response.output_text.done', { item_id, output_index, content_index: 0, text: plan.content, logprobs: [] });
    emit('response.content_part.done', { item_id, output_index, content_index: 0, part: { ...part, text: plan.content } });
    emit('response.output_item.done', { output_index, item });
  });
  const final = responseObject(plan, ctx, true);
  emit(final.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response: final });
  return events;
}
