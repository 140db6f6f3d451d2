import type { ChatCompletion, ChatCompletionChunk, ChatCompletionCreateParams } from 'openai/resources/chat/completions';
import type { Message, MessageCreateParams, RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import { formatSseEvent } from '../../core/sse.ts';
import { anthropicErrorToOpenAI, anthropicMessageToChatCompletion, chatCompletionToAnthropicMessage, chatRequestToAnthropic, createAnthropicToChatStreamTranslator, createChatToAnthropicStreamTranslator, messagesRequestToChat, openaiErrorToAnthropic, type TokenLimits } from '../../providers/index.ts';
import type { Translation } from './translated-call.ts';

/** An OpenAI chat request for a model an Anthropic provider serves: Messages API upstream, OpenAI answer. */
export function chatToAnthropic(req: Record<string, unknown>, upstreamModel: string, id: string, requestedModel: string, limits: TokenLimits): Translation {
  const chatReq = req as unknown as ChatCompletionCreateParams;
  const body = chatRequestToAnthropic(chatReq, upstreamModel, { defaultMaxTokens: limits.anthropicDefaultMaxTokens(upstreamModel) });
  const stream = chatReq.stream === true;
  const clientWantsUsage = chatReq.stream_options?.include_usage === true;
  const created = Math.floor(Date.now() / 1000);
  const chatId = `chatcmpl-${id.replace(/-/g, '')}`;
  return {
    dialect: 'openai',
    path: '/messages',
    body,
    stream,
    translateResponse: (up) => anthropicMessageToChatCompletion(up as Message, { id: chatId, model: requestedModel, created }),
    translateError: (up) => anthropicErrorToOpenAI(up),
    createStream() {
      // Usage is always computed for the record; the usage-only chunk reaches the client only if it asked.
      const translator = createAnthropicToChatStreamTranslator({ id: chatId, model: requestedModel, created, includeUsage: true });
      return {
        push(data) {
          if ((data as { type?: unknown }).type === 'error') {
            // A mid-stream Anthropic error event: OpenAI streams carry errors as a `data: {"error": ...}` event.
            const err = anthropicErrorToOpenAI(data);
            return { text: formatSseEvent(err), record: [err], error: err.error.message };
          }
          const chunks = translator.push(data as RawMessageStreamEvent);
          return { text: chunksToSse(chunks, clientWantsUsage), record: chunks };
        },
        finish: () => ({ text: 'data: [DONE]\n\n', record: [] }),
      };
    },
  };
}

function chunksToSse(chunks: ChatCompletionChunk[], includeUsage: boolean): string {
  let out = '';
  for (const chunk of chunks) {
    if (!includeUsage && chunk.choices.length === 0 && chunk.usage) continue;
    out += formatSseEvent(chunk);
  }
  return out;
}

/** An Anthropic Messages request for a model an OpenAI-compatible provider serves. */
export function messagesToChat(req: Record<string, unknown>, upstreamModel: string, id: string, requestedModel: string, limits: TokenLimits): Translation {
  const msgReq = req as unknown as MessageCreateParams;
  const body = messagesRequestToChat(msgReq, upstreamModel, { tokenLimitField: limits.openaiTokenLimitField(upstreamModel) });
  const msgId = `msg_${id.replace(/-/g, '')}`;
  return {
    dialect: 'anthropic',
    path: '/chat/completions',
    body,
    stream: msgReq.stream === true,
    translateResponse: (up) => chatCompletionToAnthropicMessage(up as ChatCompletion, { id: msgId, model: requestedModel }),
    translateError: (up) => openaiErrorToAnthropic(up),
    createStream() {
      const translator = createChatToAnthropicStreamTranslator({ id: msgId, model: requestedModel });
      const toSse = (events: RawMessageStreamEvent[]) => ({ text: events.map((e) => formatSseEvent(e, e.type)).join(''), record: events });
      return {
        push: (data) => toSse(translator.push(data as ChatCompletionChunk)),
        finish: () => toSse(translator.finish()),
      };
    },
  };
}
