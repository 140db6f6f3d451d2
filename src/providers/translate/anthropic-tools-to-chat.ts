import type { MessageCreateParams, Tool, ToolChoice, ToolUnion } from '@anthropic-ai/sdk/resources/messages';
import type { ChatCompletionFunctionTool, ChatCompletionToolChoiceOption } from 'openai/resources/chat/completions';
import { AppError } from '../../core/index.ts';

/**
 * Anthropic client tools → OpenAI function tools (`parameters` = `input_schema`). Anthropic's own tools
 * (bash, text editor, web search, code execution, …) run at Anthropic or need its schemas: 'unsupported'.
 * `strict` is not carried over: OpenAI's strict mode rejects schemas that Anthropic's accepts.
 */
export function anthropicToolsToChat(tools: ToolUnion[] | undefined): ChatCompletionFunctionTool[] | undefined {
  if (!tools || tools.length === 0) return undefined;
  return tools.map((tool, i) => {
    if (!isClientTool(tool)) {
      throw new AppError('unsupported', `Tools of type ${tool.type} are not supported for this model.`, {
        param: `tools[${i}].type`,
      });
    }
    const fn: ChatCompletionFunctionTool['function'] = { name: tool.name, parameters: tool.input_schema };
    if (tool.description) fn.description = tool.description;
    return { type: 'function', function: fn };
  });
}

function isClientTool(tool: ToolUnion): tool is Tool {
  return 'input_schema' in tool && (tool.type === undefined || tool.type === null || tool.type === 'custom');
}

/** auto → 'auto', any → 'required', tool → that function, none → 'none'. */
export function anthropicToolChoiceToChat(choice: ToolChoice): ChatCompletionToolChoiceOption {
  switch (choice.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { type: 'function', function: { name: choice.name } };
    default:
      throw new AppError('invalid_request', 'Unknown tool_choice type.', { param: 'tool_choice.type' });
  }
}

export function disablesParallelToolUse(choice: MessageCreateParams['tool_choice']): boolean {
  return choice !== undefined && 'disable_parallel_tool_use' in choice && choice.disable_parallel_tool_use === true;
}
