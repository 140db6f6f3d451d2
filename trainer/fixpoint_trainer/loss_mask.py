"""Turns a conversation into token ids and labels: -100 everywhere but the assistant tokens.

The conversation is rendered once and tokenized once (with character offsets), so the ids are the
ones a server would see for the same conversation; a token is learned when it starts inside an
assistant span (the turn's content, tool calls and end-of-turn marker, for turns with weight 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fixpoint_trainer.chat_template import ChatRenderer
from fixpoint_trainer.dataset import ChatRow

IGNORE_INDEX = -100


@dataclass
class EncodedRow:
    input_ids: list[int]
    labels: list[int]
    truncated: bool

    @property
    def learned_tokens(self) -> int:
        return sum(1 for label in self.labels if label != IGNORE_INDEX)


@dataclass
class EncodedSplit:
    rows: list[EncodedRow]
    total_rows: int
    truncated_rows: int
    dropped_rows: int  # nothing left to learn after truncation

    @property
    def tokens(self) -> int:
        return sum(len(row.input_ids) for row in self.rows)

    @property
    def learned_tokens(self) -> int:
        return sum(row.learned_tokens for row in self.rows)

    def summary(self) -> dict[str, int]:
        return {"rows": self.total_rows, "rows_used": len(self.rows),
                "truncated_rows": self.truncated_rows, "dropped_rows": self.dropped_rows,
                "tokens": self.tokens, "assistant_tokens": self.learned_tokens}


def _in_spans(start: int, spans: list[tuple[int, int]]) -> bool:
    return any(lo <= start < hi for lo, hi in spans)


def encode_row(renderer: ChatRenderer, row: ChatRow, max_length: int) -> EncodedRow:
    rendered = renderer.render_for_training(row.messages, row.weights, row.tools)
    encoding: Any = renderer.tokenizer(rendered.text, add_special_tokens=False,
                                       return_offsets_mapping=True)
    ids: list[int] = list(encoding["input_ids"])
    offsets: list[tuple[int, int]] = list(encoding["offset_mapping"])
    labels = [token if _in_spans(start, rendered.spans) and end > start else IGNORE_INDEX
              for token, (start, end) in zip(ids, offsets)]
    truncated = len(ids) > max_length
    return EncodedRow(input_ids=ids[:max_length], labels=labels[:max_length], truncated=truncated)


def encode_rows(renderer: ChatRenderer, rows: list[ChatRow], max_length: int) -> EncodedSplit:
    encoded: list[EncodedRow] = []
    truncated = dropped = 0
    for row in rows:
        item = encode_row(renderer, row, max_length)
        truncated += item.truncated
        if item.learned_tokens == 0:
            dropped += 1
            continue
        encoded.append(item)
    return EncodedSplit(rows=encoded, total_rows=len(rows), truncated_rows=truncated,
                        dropped_rows=dropped)
