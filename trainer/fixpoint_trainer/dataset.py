"""Reads OpenAI chat fine-tuning JSONL and checks every row, naming the line and field at fault.

A row is {"messages": [...], "tools": [...]?}. Roles: system, developer (read as system), user,
assistant, tool. An assistant message may carry "weight" 0 or 1 (0: not trained on) and
"tool_calls" (its "content" may then be null). Content may be a string or a list of text parts.
Messages come back normalised: content a string (or None), tool call arguments parsed to objects
(as chat templates expect), weight taken off the message and kept beside it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROLES = ("system", "user", "assistant", "tool")


class DatasetError(ValueError):
    """A row that cannot be trained on: the file, the 1-based line and the field at fault."""

    def __init__(self, path: str, line: int, field_name: str, reason: str) -> None:
        self.path = path
        self.line = line
        self.field = field_name
        self.reason = reason
        where = f"{path}, line {line}" if line else path
        super().__init__(f"{where}: {field_name}: {reason}" if field_name else f"{where}: {reason}")


@dataclass
class ChatRow:
    """One conversation; weights[i] is 1 when messages[i] is an assistant turn to learn."""

    line: int
    messages: list[dict[str, Any]]
    weights: list[int]
    tools: list[dict[str, Any]] | None = None


@dataclass
class ChatDataset:
    path: str
    sha256: str
    rows: list[ChatRow] = field(default_factory=list)


class _RowChecker:
    def __init__(self, path: str, line: int) -> None:
        self.path = path
        self.line = line

    def fail(self, field_name: str, reason: str) -> DatasetError:
        return DatasetError(self.path, self.line, field_name, reason)

    def row(self, raw: Any) -> ChatRow:
        if not isinstance(raw, dict):
            raise self.fail("", "a row must be a JSON object")
        messages_raw = raw.get("messages")
        if not isinstance(messages_raw, list) or not messages_raw:
            raise self.fail("messages", "required: a non-empty list of messages")
        tools = self.tools(raw.get("tools"))
        messages: list[dict[str, Any]] = []
        weights: list[int] = []
        for index, message in enumerate(messages_raw):
            normalised, weight = self.message(message, f"messages[{index}]")
            messages.append(normalised)
            weights.append(weight)
        if messages[0]["role"] == "assistant":
            raise self.fail("messages[0].role", "a conversation cannot open with the assistant")
        if not any(weights):
            raise self.fail("messages", "no assistant message to train on (none, or all weight 0)")
        return ChatRow(line=self.line, messages=messages, weights=weights, tools=tools)

    def tools(self, raw: Any) -> list[dict[str, Any]] | None:
        if raw is None:
            return None
        if not isinstance(raw, list):
            raise self.fail("tools", "must be a list of tools")
        for index, tool in enumerate(raw):
            where = f"tools[{index}]"
            if not isinstance(tool, dict) or tool.get("type", "function") != "function":
                raise self.fail(where, 'must be {"type": "function", "function": {...}}')
            function = tool.get("function")
            if not isinstance(function, dict) or not isinstance(function.get("name"), str):
                raise self.fail(f"{where}.function.name", "required: a string")
        return raw or None

    def message(self, raw: Any, where: str) -> tuple[dict[str, Any], int]:
        if not isinstance(raw, dict):
            raise self.fail(where, "must be an object")
        role = raw.get("role")
        if role == "developer":
            role = "system"
        if role not in ROLES:
            raise self.fail(f"{where}.role", f"must be one of {', '.join(ROLES)} (got {role!r})")
        message: dict[str, Any] = {"role": role}
        tool_calls = raw.get("tool_calls") if role == "assistant" else None
        if tool_calls is not None:
            message["tool_calls"] = self.tool_calls(tool_calls, f"{where}.tool_calls")
        message["content"] = self.content(raw.get("content"), f"{where}.content",
                                          optional=bool(tool_calls))
        for key in ("name", "tool_call_id"):
            if isinstance(raw.get(key), str):
                message[key] = raw[key]
        weight = 0
        if role == "assistant":
            weight = raw.get("weight", 1)
            if weight not in (0, 1) or isinstance(weight, bool):
                raise self.fail(f"{where}.weight", f"must be 0 or 1 (got {weight!r})")
        elif "weight" in raw:
            raise self.fail(f"{where}.weight", "only assistant messages carry a weight")
        return message, int(weight)

    def content(self, raw: Any, where: str, optional: bool) -> str | None:
        if raw is None:
            if optional:
                return None
            raise self.fail(where, "required: a string or a list of text parts")
        if isinstance(raw, str):
            return raw
        if isinstance(raw, list):
            texts: list[str] = []
            for index, part in enumerate(raw):
                if not isinstance(part, dict) or part.get("type") != "text":
                    raise self.fail(f"{where}[{index}]", "only text parts can be trained on")
                if not isinstance(part.get("text"), str):
                    raise self.fail(f"{where}[{index}].text", "required: a string")
                texts.append(part["text"])
            return "".join(texts)
        raise self.fail(where, "must be a string or a list of text parts")

    def tool_calls(self, raw: Any, where: str) -> list[dict[str, Any]]:
        if not isinstance(raw, list) or not raw:
            raise self.fail(where, "must be a non-empty list")
        calls: list[dict[str, Any]] = []
        for index, call in enumerate(raw):
            at = f"{where}[{index}]"
            function = call.get("function") if isinstance(call, dict) else None
            if not isinstance(function, dict) or not isinstance(function.get("name"), str):
                raise self.fail(f"{at}.function.name", "required: a string")
            arguments = function.get("arguments", "{}")
            if isinstance(arguments, str):
                try:
                    arguments = json.loads(arguments)
                except json.JSONDecodeError:
                    raise self.fail(f"{at}.function.arguments", "must be a JSON string") from None
            if not isinstance(arguments, dict):
                raise self.fail(f"{at}.function.arguments", "must encode a JSON object")
            normalised = {"type": "function",
                          "function": {"name": function["name"], "arguments": arguments}}
            if isinstance(call.get("id"), str):
                normalised["id"] = call["id"]
            calls.append(normalised)
        return calls


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_chat_jsonl(path: str | Path) -> ChatDataset:
    """Reads and checks every row; the first bad row raises DatasetError. Skips blank lines."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DatasetError(name, 0, "", "file not found") from None
    except UnicodeDecodeError as error:
        raise DatasetError(name, 0, "", f"not UTF-8 ({error.reason})") from None
    dataset = ChatDataset(path=name, sha256=file_sha256(path))
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        checker = _RowChecker(name, number)
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as error:
            reason = f"not valid JSON ({error.msg} at column {error.colno})"
            raise checker.fail("", reason) from None
        dataset.rows.append(checker.row(raw))
    if not dataset.rows:
        raise DatasetError(name, 0, "", "no rows")
    return dataset
