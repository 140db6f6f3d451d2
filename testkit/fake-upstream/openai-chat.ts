/** `POST /v1/chat/completions`, streaming and not, `n` choices, tools, `stream_options.include_usage`. */
import { answerPlanned, argumentHalves } from './answer.ts';
import { openaiError, openaiHeaders, sendJson, sseData, type Exchange, type StreamEvent } from './http-io.ts';
import { chatSystemText, judgeReply } from './judge.ts';
import { complianceReply } from './compliance.ts';
import { patternModelReply } from './pattern-models.ts';
import { isRecord, nextId, planReply, textOf, type ReplyInput, type ReplyPlan } from './reply-plan.ts';

export function chatInput(body: Record<string, unknown>): ReplyInput {
  const messages = Array.isArray(body.messages) ? body.messages.filter(isRecord) : [];
  let allText = '';
  let lastUserText = '';
  for (const m of messages) {
    const text = textOf(m.content);
    allText += text;
    if (m.role === 'user') lastUserText = text;
  }
  const last = messages.at(-1);
  const endsWithToolResult = last?.role === 'tool' || last?.role === 'function';
  const tools = Array.isArray(body.tools) ? body.tools.filter(isRecord) : [];
  const toolNames = tools.flatMap((t) => (isRecord(t.function) && typeof t.function.name === 'string' ? [t.function.name] : []));
  return {
    lastUserText,
    allText,
    endsWithToolResult,
    toolNames,
    echoText: endsWithToolResult ? textOf(last?.content) : lastUserText,
  };
}

/** OpenAI's reasoning models (o1, o3, o4-mini, GPT-5; not the `-chat` ones) take `max_completion_tokens` only. */
function refusesMaxTokens(model: string): boolean {
  const bare = model.slice(model.lastIndexOf('/') + 1).toLowerCase();
  return /^(o\d|gpt-5)/.test(bare) && !bare.includes('-chat');
}

export async function handleChatCompletions(ex: Exchange, body: Record<string, unknown>, custom?: (body: Record<string, unknown>) => ReplyPlan | null): Promise<void> {
  if (typeof body.model === 'string' && body.max_tokens !== undefined && refusesMaxTokens(body.model)) {
    // OpenAI's own answer, word for word
    const message = "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.";
    return sendJson(ex.res, 400, { error: { message, type: 'invalid_request_error', param: 'max_tokens', code: 'unsupported_parameter' } }, openaiHeaders());
  }
  const input = chatInput(body);
  const systemText = chatSystemText(body);
  const plan = custom?.(body) ?? judgeReply(systemText, input) ?? patternModelReply(systemText, input) ?? complianceReply(systemText, input) ?? planReply(input);
  const model = typeof body.model === 'string' ? body.model : 'gpt-4o-mini';
  const n = typeof body.n === 'number' && body.n >= 1 ? Math.min(Math.floor(body.n), 16) : 1;
  const streamOptions = isRecord(body.stream_options) ? body.stream_options : {};
  const ctx: ChatContext = {
    id: nextId('chatcmpl-'),
    created: Math.floor(Date.now() / 1000),
    model,
    n,
    includeUsage: streamOptions.include_usage === true,
  };
  await answerPlanned(ex, plan, {
    headers: openaiHeaders(),
    stream: body.stream === true,
    errorBody: openaiError,
    json: () => chatJson(plan, ctx),
    events: () => chatEvents(plan, ctx),
  });
}

interface ChatContext {
  id: string;
  created: number;
  model: string;
  n: number;
  includeUsage: boolean;
}

function usageOf(plan: ReplyPlan, n: number) {
  const completion = plan.completionTokens * n;
  return {
    prompt_tokens: plan.promptTokens,
    completion_tokens: completion,
    total_tokens: plan.promptTokens + completion,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function toolCallsJson(plan: ReplyPlan) {
  return plan.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
}

function chatJson(plan: ReplyPlan, ctx: ChatContext): unknown {
  const hasTools = plan.toolCalls.length > 0;
  const choices = Array.from({ length: ctx.n }, (_, index) => ({
    index,
    message: {
      role: 'assistant',
      content: hasTools ? null : plan.content,
      refusal: null,
      annotations: [],
      ...(hasTools ? { tool_calls: toolCallsJson(plan) } : {}),
    },
    logprobs: null,
    finish_reason: plan.finish,
  }));
  return {
    id: ctx.id,
    object: 'chat.completion',
    created: ctx.created,
    model: ctx.model,
    choices,
    usage: usageOf(plan, ctx.n),
    service_tier: 'default',
    system_fingerprint: 'fp_fake',
  };
}

function chatEvents(plan: ReplyPlan, ctx: ChatContext): StreamEvent[] {
  const hasTools = plan.toolCalls.length > 0;
  const chunk = (index: number, delta: unknown, finish: string | null = null) =>
    sseData({
      id: ctx.id,
      object: 'chat.completion.chunk',
      created: ctx.created,
      model: ctx.model,
      service_tier: 'default',
      system_fingerprint: 'fp_fake',
      choices: [{ index, delta, logprobs: null, finish_reason: finish }],
      ...(ctx.includeUsage ? { usage: null } : {}),
    });
  const events: StreamEvent[] = [];
  const choices = Array.from({ length: ctx.n }, (_, i) => i);
  for (const i of choices) {
    events.push({ text: chunk(i, { role: 'assistant', content: hasTools ? null : '', refusal: null }) });
  }
  if (hasTools) {
    plan.toolCalls.forEach((call, k) => {
      for (const i of choices) {
        const head = { index: k, id: call.id, type: 'function', function: { name: call.name, arguments: '' } };
        events.push({ text: chunk(i, { tool_calls: [head] }) });
        for (const part of argumentHalves(call.arguments)) {
          events.push({ text: chunk(i, { tool_calls: [{ index: k, function: { arguments: part } }] }), delta: true });
        }
      }
    });
  }
  for (const piece of plan.pieces) {
    for (const i of choices) events.push({ text: chunk(i, { content: piece }), delta: true });
  }
  for (const i of choices) events.push({ text: chunk(i, {}, plan.finish) });
  if (ctx.includeUsage) {
    events.push({
      text: sseData({
        id: ctx.id,
        object: 'chat.completion.chunk',
        created: ctx.created,
        model: ctx.model,
        service_tier: 'default',
        system_fingerprint: 'fp_fake',
        choices: [],
        usage: usageOf(plan, ctx.n),
      }),
    });
  }
  events.push({ text: 'data: [DONE]\n\n' });
  return events;
}
