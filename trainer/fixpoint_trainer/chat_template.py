"""Renders conversations with the tokenizer's chat template, and finds the assistant spans in them.

When the tokenizer has no chat template (a base model, or the tiny models the tests build), the
default below is used: ChatML (<|im_start|>role ... <|im_end|>), the format Qwen and many others
use, with tools listed in the system turn and tool calls written as <tool_call>{json}</tool_call>.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_CHAT_TEMPLATE = (
    "{%- if messages and messages[0]['role'] == 'system' -%}"
    "{%- set system = messages[0]['content'] -%}{%- set rest = messages[1:] -%}"
    "{%- else -%}{%- set system = none -%}{%- set rest = messages -%}{%- endif -%}"
    "{%- if system is not none or tools -%}"
    "{{- '<|im_start|>system\\n' -}}"
    "{%- if system is not none -%}{{- system -}}{%- endif -%}"
    "{%- if tools -%}"
    "{%- if system -%}{{- '\\n\\n' -}}{%- endif -%}"
    "{{- 'You may call these tools; to call one, answer with "
    "<tool_call>{\"name\": ..., \"arguments\": {...}}</tool_call>.' -}}"
    "{%- for tool in tools -%}{{- '\\n' + (tool | tojson) -}}{%- endfor -%}"
    "{%- endif -%}"
    "{{- '<|im_end|>\\n' -}}"
    "{%- endif -%}"
    "{%- for message in rest -%}"
    "{{- '<|im_start|>' + message['role'] + '\\n' -}}"
    "{%- if message['content'] -%}{{- message['content'] -}}{%- endif -%}"
    "{%- for call in message['tool_calls'] or [] -%}"
    "{%- if message['content'] or not loop.first -%}{{- '\\n' -}}{%- endif -%}"
    "{{- '<tool_call>' + ({'name': call['function']['name'], "
    "'arguments': call['function']['arguments']} | tojson) + '</tool_call>' -}}"
    "{%- endfor -%}"
    "{{- '<|im_end|>\\n' -}}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}"
)

# Strings that end an assistant turn in common templates; generation stops at the first one.
END_OF_TURN_MARKERS = ("<|im_end|>", "<|eot_id|>", "<end_of_turn>", "<|end|>", "</s>")


class ChatTemplateError(ValueError):
    pass


@dataclass
class RenderedChat:
    """The whole conversation as text, and the [start, end) character spans to learn."""

    text: str
    spans: list[tuple[int, int]]


class ChatRenderer:
    """Renders with the tokenizer's own template, or the default when it has none or is told to."""

    def __init__(self, tokenizer: Any, use_default: bool = False) -> None:
        self.tokenizer = tokenizer
        own = getattr(tokenizer, "chat_template", None)
        self.uses_default = use_default or not own
        self.template: str | None = DEFAULT_CHAT_TEMPLATE if self.uses_default else None

    @property
    def source(self) -> str:
        return "default" if self.uses_default else "tokenizer"

    def render(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None,
               add_generation_prompt: bool = False) -> str:
        text = self.tokenizer.apply_chat_template(
            messages, tools=tools, chat_template=self.template, tokenize=False,
            add_generation_prompt=add_generation_prompt)
        if not isinstance(text, str):
            raise ChatTemplateError("the chat template did not render to text")
        return text

    def render_for_training(self, messages: list[dict[str, Any]], weights: list[int],
                            tools: list[dict[str, Any]] | None = None) -> RenderedChat:
        """The assistant spans: what the template adds after the generation prompt for each turn
        with weight 1 (its content, tool calls and end-of-turn marker).

        Works for any template that renders a conversation's earlier turns the same whether or not
        later turns follow; one that rewrites earlier turns (some drop past reasoning) is refused.
        """
        full = self.render(messages, tools)
        spans: list[tuple[int, int]] = []
        for index, message in enumerate(messages):
            if message["role"] != "assistant" or not weights[index]:
                continue
            prompt = self.render(messages[:index], tools, add_generation_prompt=True)
            through = self.render(messages[: index + 1], tools)
            if not through.startswith(prompt) or not full.startswith(through):
                raise ChatTemplateError(
                    "the chat template renders earlier turns differently once later turns follow; "
                    "train with --chat-template default")
            if len(through) > len(prompt):
                spans.append((len(prompt), len(through)))
        return RenderedChat(text=full, spans=spans)
