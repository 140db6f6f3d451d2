/** A whole OpenAI chat completion body, for scripting exactly what the fake upstream answers. */
export function completionBody(content: string | null, extra: { finish_reason?: string; tool_calls?: unknown[]; refusal?: string | null; model?: string } = {}) {
  return {
    id: `chatcmpl-${Math.random().toString(36).slice(2)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: extra.model ?? 'gpt-4o-mini',
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
