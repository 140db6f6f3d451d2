export {
  chatRequestToAnthropic,
  DEFAULT_MAX_TOKENS,
  ANTHROPIC_VERSION_WITHOUT_SAMPLING,
  type ChatRequestToAnthropicOptions,
} from './chat-request-to-anthropic.ts';
export { anthropicMessageToChatCompletion, type ChatCompletionIdentity } from './anthropic-message-to-chat.ts';
export {
  createAnthropicToChatStreamTranslator,
  type AnthropicToChatStreamOptions,
  type AnthropicToChatStreamTranslator,
} from './anthropic-stream-to-chat.ts';
export { messagesRequestToChat, type MessagesRequestToChatOptions } from './messages-request-to-chat.ts';
export { chatCompletionToAnthropicMessage, type AnthropicMessageIdentity } from './chat-completion-to-anthropic.ts';
export {
  createChatToAnthropicStreamTranslator,
  type ChatToAnthropicStreamOptions,
  type ChatToAnthropicStreamTranslator,
} from './chat-stream-to-anthropic.ts';
export { anthropicErrorToOpenAI, openaiErrorToAnthropic, type AnthropicErrorBody, type OpenAIErrorBody } from './errors.ts';
