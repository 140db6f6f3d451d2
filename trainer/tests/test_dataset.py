"""The JSONL reader: OpenAI chat fine-tuning rows in, a clear error naming line and field out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fixpoint_trainer.dataset import DatasetError, read_chat_jsonl

GOOD = {"messages": [{"role": "system", "content": "Be brief."},
                     {"role": "user", "content": "Hi"},
                     {"role": "assistant", "content": "Hello."}]}


def write(tmp_path: Path, lines: list[Any]) -> Path:
    path = tmp_path / "data.jsonl"
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines))
    return path


def test_reads_rows_with_tools_tool_calls_weights_and_text_parts(tmp_path: Path) -> None:
    row = {
        "tools": [{"type": "function", "function": {"name": "lookup", "parameters": {}}}],
        "messages": [
            {"role": "developer", "content": [{"type": "text", "text": "Use "},
                                              {"type": "text", "text": "tools."}]},
            {"role": "user", "content": "Weather in Oslo?"},
            {"role": "assistant", "content": "Draft.", "weight": 0},
            {"role": "user", "content": "Again."},
            {"role": "assistant", "content": None, "tool_calls": [
                {"id": "c1", "type": "function",
                 "function": {"name": "lookup", "arguments": "{\"city\": \"Oslo\"}"}}]},
            {"role": "tool", "tool_call_id": "c1", "content": "rain"},
            {"role": "assistant", "content": "Rain.", "weight": 1},
        ]}
    dataset = read_chat_jsonl(write(tmp_path, [GOOD, "", row]))
    assert [r.line for r in dataset.rows] == [1, 3]
    assert len(dataset.sha256) == 64
    second = dataset.rows[1]
    assert second.messages[0] == {"role": "system", "content": "Use tools."}
    assert second.weights == [0, 0, 0, 0, 1, 0, 1]
    call = second.messages[4]["tool_calls"][0]
    assert call["function"]["arguments"] == {"city": "Oslo"}
    assert second.messages[5]["tool_call_id"] == "c1"
    assert second.tools is not None and second.tools[0]["function"]["name"] == "lookup"


def with_message(message: dict[str, Any]) -> dict[str, Any]:
    return {"messages": [*GOOD["messages"], message]}


BAD_ROWS = [
    ("{not json", "", "not valid JSON"),
    ([1, 2], "", "JSON object"),
    ({"prompt": "x", "completion": "y"}, "messages", "non-empty list"),
    ({"messages": []}, "messages", "non-empty list"),
    (with_message({"role": "bot", "content": "x"}), "messages[3].role", "must be one of"),
    (with_message({"role": "user"}), "messages[3].content", "required"),
    (with_message({"role": "user", "content": 5}), "messages[3].content", "string"),
    (with_message({"role": "user", "content": [{"type": "image_url"}]}),
     "messages[3].content[0]", "text parts"),
    (with_message({"role": "assistant", "content": "x", "weight": 2}), "messages[3].weight",
     "0 or 1"),
    (with_message({"role": "user", "content": "x", "weight": 1}), "messages[3].weight",
     "only assistant"),
    (with_message({"role": "assistant", "content": None, "tool_calls": [
        {"type": "function", "function": {"name": "f", "arguments": "{oops"}}]}),
     "messages[3].tool_calls[0].function.arguments", "JSON"),
    (with_message({"role": "assistant", "content": None, "tool_calls": [{"type": "function"}]}),
     "messages[3].tool_calls[0].function.name", "required"),
    ({"messages": [{"role": "user", "content": "x"},
                   {"role": "assistant", "content": "y", "weight": 0}]},
     "messages", "no assistant message to train on"),
    ({"messages": [{"role": "assistant", "content": "y"}]}, "messages[0].role", "open with"),
    ({**GOOD, "tools": {"name": "f"}}, "tools", "list"),
    ({**GOOD, "tools": [{"type": "function", "function": {}}]}, "tools[0].function.name",
     "required"),
]


@pytest.mark.parametrize(("bad", "field", "reason"), BAD_ROWS)
def test_rejects_a_bad_row_naming_its_line_and_field(tmp_path: Path, bad: Any, field: str,
                                                      reason: str) -> None:
    # Two good rows and a blank line first: the line number counts every line of the file.
    path = write(tmp_path, [GOOD, "", GOOD, bad, GOOD])
    with pytest.raises(DatasetError) as caught:
        read_chat_jsonl(path)
    error = caught.value
    assert error.line == 4
    assert error.field == field
    assert reason in str(error)
    assert f"line 4: {field}" in str(error) if field else "line 4:" in str(error)


def test_an_empty_or_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no rows"):
        read_chat_jsonl(write(tmp_path, ["", "  "]))
    with pytest.raises(DatasetError, match="file not found"):
        read_chat_jsonl(tmp_path / "absent.jsonl")
