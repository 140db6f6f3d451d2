import type {
  ContentBlockParam,
  DocumentBlockParam,
  MessageParam,
  TextBlockParam,
  ToolResultBlockParam,
} from '@anthropic-ai/sdk/resources/messages';
import type {
  ChatCompletionAssistantMessageParam,
  ChatCompletionContentPart,
  ChatCompletionContentPartImage,
  ChatCompletionMessageFunctionToolCall,
  ChatCompletionMessageParam,
  ChatCompletionToolMessageParam,
} from 'openai/resources/chat/completions';
import { AppError } from '../../core/index.ts';
import { urlFromImageSource } from './media-sources.ts';

/** Anthropic system content (top-level `system` or a `system` message) → one string; blocks joined by a blank line. */
export function systemText(system: string | TextBlockParam[] | undefined): string | null {
  if (system === undefined) return null;
  const text = typeof system === 'string' ? system : system.map((block) => block.text).join('\n\n');
  return text === '' ? null : text;
}

/**
 * Anthropic messages → OpenAI chat messages. A user message's `tool_result` blocks become `tool` messages placed
 * before the rest of it (OpenAI wants them right after the assistant's tool calls); images inside tool results,
 * which a `tool` message cannot hold, move into that following user message. Thinking blocks are dropped.
 */
export function anthropicMessagesToChat(messages: MessageParam[]): ChatCompletionMessageParam[] {
  return messages.flatMap((message, i): ChatCompletionMessageParam[] => {
    const param = `messages[${i}]`;
    switch (message.role) {
      case 'system': {
        const text = systemText(message.content);
        return text === null ? [] : [{ role: 'system', content: text }];
      }
      case 'user':
        return userToChat(message.content, param);
      case 'assistant':
        return [assistantToChat(message.content, param)];
      default:
        throw new AppError('invalid_request', 'Unknown message role.', { param: `${param}.role` });
    }
  });
}

function userToChat(content: string | ContentBlockParam[], param: string): ChatCompletionMessageParam[] {
  if (typeof content === 'string') return [{ role: 'user', content }];
  const out: ChatCompletionMessageParam[] = [];
  const parts: ChatCompletionContentPart[] = [];
  content.forEach((block, j) => {
    const at = `${param}.content[${j}]`;
    if (block.type === 'tool_result') {
      const { message, images } = toolResultToChat(block, at);
      out.push(message);
      parts.push(...images);
    } else {
      parts.push(...userBlockToParts(block, at));
    }
  });
  if (parts.length === 1 && parts[0]?.type === 'text') out.push({ role: 'user', content: parts[0].text });
  else if (parts.length > 0) out.push({ role: 'user', content: parts });
  return out;
}

function userBlockToParts(block: ContentBlockParam, param: string): ChatCompletionContentPart[] {
  switch (block.type) {
    case 'text':
      return block.text === '' ? [] : [{ type: 'text', text: block.text }];
    case 'image':
      return [imagePart(urlFromImageSource(block.source, `${param}.source`))];
    case 'document':
      return [documentPart(block, param)];
    default:
      throw new AppError('unsupported', `Content blocks of type ${block.type} are not supported for this model.`, {
        param: `${param}.type`,
      });
  }
}

function imagePart(url: string): ChatCompletionContentPartImage {
  return { type: 'image_url', image_url: { url } };
}

/** Base64 PDFs become OpenAI file parts; plain-text documents become text. Other sources cannot travel. */
function documentPart(block: DocumentBlockParam, param: string): ChatCompletionContentPart {
  const source = block.source;
  if (source.type === 'base64') {
    const filename = block.title ?? 'document.pdf';
    return { type: 'file', file: { filename, file_data: `data:${source.media_type};base64,${source.data}` } };
  }
  if (source.type === 'text') return { type: 'text', text: block.title ? `${block.title}\n\n${source.data}` : source.data };
  throw new AppError('unsupported', `Documents from a ${source.type} source are not supported for this model.`, {
    param: `${param}.source.type`,
  });
}

function toolResultToChat(
  block: ToolResultBlockParam,
  param: string,
): { message: ChatCompletionToolMessageParam; images: ChatCompletionContentPartImage[] } {
  const texts: string[] = [];
  const images: ChatCompletionContentPartImage[] = [];
  if (typeof block.content === 'string') texts.push(block.content);
  else {
    block.content?.forEach((part, k) => {
      const at = `${param}.content[${k}]`;
      if (part.type === 'text') texts.push(part.text);
      else if (part.type === 'image') images.push(imagePart(urlFromImageSource(part.source, `${at}.source`)));
      else {
        throw new AppError('unsupported', `Tool results holding ${part.type} blocks are not supported for this model.`, {
          param: `${at}.type`,
        });
      }
    });
  }
  const text = texts.join('\n');
  const content = block.is_error ? `Error: ${text}` : text;
  return { message: { role: 'tool', tool_call_id: block.tool_use_id, content }, images };
}

function assistantToChat(content: string | ContentBlockParam[], param: string): ChatCompletionAssistantMessageParam {
  if (typeof content === 'string') return { role: 'assistant', content };
  const texts: string[] = [];
  const toolCalls: ChatCompletionMessageFunctionToolCall[] = [];
  content.forEach((block, j) => {
    switch (block.type) {
      case 'text':
        texts.push(block.text);
        break;
      case 'tool_use': {
        const args = JSON.stringify(block.input ?? {});
        toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: args } });
        break;
      }
      case 'thinking':
      case 'redacted_thinking':
        break;
      default:
        throw new AppError('unsupported', `Content blocks of type ${block.type} are not supported for this model.`, {
          param: `${param}.content[${j}].type`,
        });
    }
  });
  const message: ChatCompletionAssistantMessageParam = { role: 'assistant', content: texts.join('') };
  if (toolCalls.length > 0) {
    message.tool_calls = toolCalls;
    if (texts.length === 0) message.content = null;
  }
  return message;
}
