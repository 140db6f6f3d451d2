import type {
  ContentBlockParam,
  MessageParam,
  TextBlockParam,
  ToolResultBlockParam,
  ToolUseBlockParam,
} from '@anthropic-ai/sdk/resources/messages';
import type {
  ChatCompletionAssistantMessageParam,
  ChatCompletionContentPart,
  ChatCompletionContentPartRefusal,
  ChatCompletionContentPartText,
  ChatCompletionMessageParam,
  ChatCompletionMessageToolCall,
} from 'openai/resources/chat/completions';
import { AppError } from '../../core/index.ts';
import { imageSourceFromUrl, pdfSourceFromFileData } from './media-sources.ts';
import { anthropicToolUseId, parseToolArguments } from './tool-arguments.ts';

export interface AnthropicConversation {
  /** Every system and developer message, in order, one text block each. */
  system: TextBlockParam[];
  /** Alternating user/assistant turns. */
  messages: MessageParam[];
}

interface Turn {
  role: 'user' | 'assistant';
  content: ContentBlockParam[];
}

/**
 * OpenAI chat messages → Anthropic's system blocks and alternating turns. Consecutive same-role messages merge;
 * `tool` (and legacy `function`) messages become `tool_result` blocks in a user turn, placed before any text there,
 * as Anthropic requires.
 */
export function chatMessagesToAnthropic(messages: ChatCompletionMessageParam[]): AnthropicConversation {
  const system: TextBlockParam[] = [];
  const turns: Turn[] = [];
  const legacyCalls = createLegacyCallIds();
  messages.forEach((message, i) => {
    const param = `messages[${i}]`;
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(...textBlocks(message.content));
        break;
      case 'user':
        addToTurn(turns, 'user', userBlocks(message.content, param));
        break;
      case 'assistant':
        addToTurn(turns, 'assistant', assistantBlocks(message, param, legacyCalls));
        break;
      case 'tool':
        addToTurn(turns, 'user', [toolResult(anthropicToolUseId(message.tool_call_id), message.content)]);
        break;
      case 'function':
        addToTurn(turns, 'user', [toolResult(legacyCalls.take(message.name, `${param}.name`), message.content ?? '')]);
        break;
      default:
        throw new AppError('invalid_request', 'Unknown message role.', { param: `${param}.role` });
    }
  });
  return { system, messages: turns.map(toMessageParam) };
}

function addToTurn(turns: Turn[], role: Turn['role'], blocks: ContentBlockParam[]): void {
  if (blocks.length === 0) return;
  const last = turns.at(-1);
  if (last?.role === role) last.content.push(...blocks);
  else turns.push({ role, content: blocks });
}

function toMessageParam(turn: Turn): MessageParam {
  if (turn.role === 'assistant') return { role: 'assistant', content: turn.content };
  const results = turn.content.filter((b) => b.type === 'tool_result');
  const others = turn.content.filter((b) => b.type !== 'tool_result');
  return { role: 'user', content: [...results, ...others] };
}

/** Anthropic rejects empty text blocks, so empty strings are dropped. */
function textBlocks(content: string | ChatCompletionContentPartText[]): TextBlockParam[] {
  const texts = typeof content === 'string' ? [content] : content.map((part) => part.text);
  return texts.filter((text) => text !== '').map((text) => ({ type: 'text', text }));
}

function userBlocks(content: string | ChatCompletionContentPart[], param: string): ContentBlockParam[] {
  if (typeof content === 'string') return textBlocks(content);
  return content.flatMap((part, j) => userPartBlocks(part, `${param}.content[${j}]`));
}

function userPartBlocks(part: ChatCompletionContentPart, param: string): ContentBlockParam[] {
  switch (part.type) {
    case 'text':
      return textBlocks(part.text);
    case 'image_url':
      return [{ type: 'image', source: imageSourceFromUrl(part.image_url.url, `${param}.image_url.url`) }];
    case 'file': {
      const source = pdfSourceFromFileData(part.file.file_data, `${param}.file`);
      return [{ type: 'document', source, ...(part.file.filename ? { title: part.file.filename } : {}) }];
    }
    case 'input_audio':
      throw new AppError('unsupported', 'Audio input is not supported for this model.', { param: `${param}.type` });
    default:
      throw new AppError('invalid_request', 'Unknown content part type.', { param: `${param}.type` });
  }
}

function assistantBlocks(
  message: ChatCompletionAssistantMessageParam,
  param: string,
  legacyCalls: LegacyCallIds,
): ContentBlockParam[] {
  if (message.audio) throw new AppError('unsupported', 'Audio is not supported for this model.', { param: `${param}.audio` });
  const blocks: ContentBlockParam[] = [];
  const content = message.content;
  if (typeof content === 'string') blocks.push(...textBlocks(content));
  else content?.forEach((part, j) => blocks.push(...assistantPartBlocks(part, `${param}.content[${j}]`)));
  message.tool_calls?.forEach((call, k) => blocks.push(toolUseBlock(call, `${param}.tool_calls[${k}]`)));
  const fn = message.function_call;
  if (fn) {
    const input = parseToolArguments(fn.arguments, `${param}.function_call.arguments`);
    blocks.push({ type: 'tool_use', id: legacyCalls.open(fn.name), name: fn.name, input });
  }
  return blocks;
}

function assistantPartBlocks(
  part: ChatCompletionContentPartText | ChatCompletionContentPartRefusal,
  param: string,
): TextBlockParam[] {
  switch (part.type) {
    case 'text':
      return textBlocks(part.text);
    case 'refusal':
      return textBlocks(part.refusal);
    default:
      throw new AppError('invalid_request', 'Unknown content part type.', { param: `${param}.type` });
  }
}

function toolUseBlock(call: ChatCompletionMessageToolCall, param: string): ToolUseBlockParam {
  if (call.type !== 'function') {
    throw new AppError('unsupported', 'Custom tool calls are not supported for this model.', { param: `${param}.type` });
  }
  const input = parseToolArguments(call.function.arguments, `${param}.function.arguments`);
  return { type: 'tool_use', id: anthropicToolUseId(call.id), name: call.function.name, input };
}

function toolResult(toolUseId: string, content: string | ChatCompletionContentPartText[]): ToolResultBlockParam {
  const block: ToolResultBlockParam = { type: 'tool_result', tool_use_id: toolUseId };
  if (typeof content === 'string') {
    if (content !== '') block.content = content;
  } else {
    const blocks = textBlocks(content);
    if (blocks.length > 0) block.content = blocks;
  }
  return block;
}

interface LegacyCallIds {
  open(name: string): string;
  take(name: string, param: string): string;
}

/** Legacy `function_call`s carry no id; each gets one, and the next `function` message with its name answers it. */
function createLegacyCallIds(): LegacyCallIds {
  const pending: Array<{ name: string; id: string }> = [];
  let count = 0;
  return {
    open(name) {
      const id = `call_legacy_${count++}`;
      pending.push({ name, id });
      return id;
    },
    take(name, param) {
      const k = pending.findIndex((p) => p.name === name);
      const found = pending[k];
      if (!found) throw new AppError('invalid_request', 'Function message answers no earlier function_call.', { param });
      pending.splice(k, 1);
      return found.id;
    },
  };
}
