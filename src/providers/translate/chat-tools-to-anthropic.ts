import type { Tool, ToolChoice } from '@anthropic-ai/sdk/resources/messages';
import type { ChatCompletionCreateParams } from 'openai/resources/chat/completions';
import type { FunctionDefinition } from 'openai/resources/shared';
import { AppError } from '../../core/index.ts';

type ChatToolFields = Pick<ChatCompletionCreateParams, 'tools' | 'functions' | 'tool_choice' | 'function_call' | 'parallel_tool_calls'>;

/** `tools` (or legacy `functions`) → Anthropic client tools. Only function tools translate. */
export function chatToolsToAnthropic(req: ChatToolFields): Tool[] | undefined {
  if (req.tools && req.tools.length > 0) {
    return req.tools.map((tool, i) => {
      if (tool.type !== 'function') {
        throw new AppError('unsupported', 'Only function tools are supported for this model.', { param: `tools[${i}].type` });
      }
      return functionToTool(tool.function);
    });
  }
  if (req.functions && req.functions.length > 0) return req.functions.map(functionToTool);
  return undefined;
}

/**
 * OpenAI's `strict` is not carried over: Anthropic's strict tool use is not accepted by every Claude model,
 * and a best-effort schema is what the client gets from most OpenAI-compatible providers anyway.
 */
function functionToTool(fn: FunctionDefinition): Tool {
  const tool: Tool = { name: fn.name, input_schema: inputSchema(fn.parameters) };
  if (fn.description) tool.description = fn.description;
  return tool;
}

/** OpenAI lets a function omit `parameters` (no arguments); Anthropic requires an object schema. */
function inputSchema(parameters: FunctionDefinition['parameters']): Tool.InputSchema {
  if (!parameters) return { type: 'object', properties: {} };
  return { ...parameters, type: 'object' };
}

/**
 * `tool_choice` (or legacy `function_call`) and `parallel_tool_calls: false` → Anthropic's `tool_choice`.
 * Undefined when there are no tools: Anthropic rejects a tool_choice without tools.
 */
export function chatToolChoiceToAnthropic(req: ChatToolFields, hasTools: boolean): ToolChoice | undefined {
  if (!hasTools) return undefined;
  const choice = baseToolChoice(req) ?? (req.parallel_tool_calls === false ? { type: 'auto' } : undefined);
  if (choice && choice.type !== 'none' && req.parallel_tool_calls === false) choice.disable_parallel_tool_use = true;
  return choice;
}

function baseToolChoice(req: ChatToolFields): ToolChoice | undefined {
  const choice = req.tool_choice ?? legacyToolChoice(req.function_call);
  if (choice === undefined) return undefined;
  if (choice === 'auto') return { type: 'auto' };
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any' };
  if (choice.type === 'function') return { type: 'tool', name: choice.function.name };
  throw new AppError('unsupported', `tool_choice of type ${choice.type} is not supported for this model.`, {
    param: 'tool_choice',
  });
}

function legacyToolChoice(call: ChatToolFields['function_call']): ChatCompletionCreateParams['tool_choice'] {
  if (call === undefined || call === 'none' || call === 'auto') return call;
  return { type: 'function', function: { name: call.name } };
}
