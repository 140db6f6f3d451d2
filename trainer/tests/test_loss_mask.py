"""The chat template and the loss mask: labels are -100 everywhere but the assistant tokens, and
assistant turns with weight 0 are masked too."""

from __future__ import annotations

from typing import Any

import pytest

from fixpoint_trainer.batching import collate
from fixpoint_trainer.chat_template import ChatRenderer, ChatTemplateError
from fixpoint_trainer.dataset import ChatRow
from fixpoint_trainer.loss_mask import IGNORE_INDEX, encode_row, encode_rows
from fixpoint_trainer.synthetic import SYSTEM_PROMPT, train_tokenizer

CONVERSATION = [
    {"role": "system", "content": SYSTEM_PROMPT},
    {"role": "user", "content": "What is the capital of Peraida?"},
    {"role": "assistant", "content": "Zaquu Sala"},
    {"role": "user", "content": "Who founded Peraida?"},
    {"role": "assistant", "content": "Dura Seza"},
]


@pytest.fixture(scope="module")
def tokenizer() -> Any:
    texts = [SYSTEM_PROMPT, "system user assistant tool"]
    texts += [str(m["content"]) for m in CONVERSATION] * 3
    return train_tokenizer(texts, vocab_size=400)


def learned_text(tokenizer: Any, ids: list[int], labels: list[int]) -> str:
    return tokenizer.decode([t for t, l in zip(ids, labels) if l != IGNORE_INDEX])


def masked_text(tokenizer: Any, ids: list[int], labels: list[int]) -> str:
    return tokenizer.decode([t for t, l in zip(ids, labels) if l == IGNORE_INDEX])


def test_default_template_is_chatml_when_the_tokenizer_has_none(tokenizer: Any) -> None:
    renderer = ChatRenderer(tokenizer)
    assert renderer.source == "default"
    text = renderer.render(CONVERSATION[:2], add_generation_prompt=True)
    assert text == (f"<|im_start|>system\n{SYSTEM_PROMPT}<|im_end|>\n"
                    "<|im_start|>user\nWhat is the capital of Peraida?<|im_end|>\n"
                    "<|im_start|>assistant\n")


def test_labels_are_ignored_everywhere_but_assistant_tokens(tokenizer: Any) -> None:
    row = ChatRow(line=1, messages=CONVERSATION, weights=[0, 0, 1, 0, 1])
    encoded = encode_row(ChatRenderer(tokenizer), row, max_length=512)
    ids, labels = encoded.input_ids, encoded.labels
    assert len(ids) == len(labels)
    # Each learned token is its own id (the model shifts labels itself); the rest is -100.
    assert all(l in (t, IGNORE_INDEX) for t, l in zip(ids, labels))
    assert learned_text(tokenizer, ids, labels) == "Zaquu Sala<|im_end|>\nDura Seza<|im_end|>\n"
    masked = masked_text(tokenizer, ids, labels)
    assert SYSTEM_PROMPT in masked and "Who founded Peraida?" in masked
    assert "Zaquu" not in masked and "Dura" not in masked
    # The conversation is tokenized whole: the same ids as the rendered text.
    full = ChatRenderer(tokenizer).render(CONVERSATION)
    assert ids == tokenizer(full, add_special_tokens=False)["input_ids"]


def test_assistant_turns_with_weight_zero_are_masked(tokenizer: Any) -> None:
    row = ChatRow(line=1, messages=CONVERSATION, weights=[0, 0, 0, 0, 1])
    encoded = encode_row(ChatRenderer(tokenizer), row, max_length=512)
    assert learned_text(tokenizer, encoded.input_ids, encoded.labels) == "Dura Seza<|im_end|>\n"
    assert "Zaquu Sala" in masked_text(tokenizer, encoded.input_ids, encoded.labels)


def test_tool_calls_are_learned_and_tool_results_are_not(tokenizer: Any) -> None:
    tools = [{"type": "function", "function": {"name": "lookup", "parameters": {}}}]
    messages = [
        {"role": "user", "content": "Capital of Peraida?"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"type": "function", "function": {"name": "lookup", "arguments": {"q": "Peraida"}}}]},
        {"role": "tool", "content": "Zaquu"},
        {"role": "assistant", "content": "Zaquu Sala"},
    ]
    renderer = ChatRenderer(tokenizer)
    assert '{"type": "function", "function": {"name": "lookup"' in renderer.render(messages, tools)
    row = ChatRow(line=1, messages=messages, weights=[0, 1, 0, 1], tools=tools)
    encoded = encode_row(renderer, row, max_length=512)
    assert learned_text(tokenizer, encoded.input_ids, encoded.labels) == (
        '<tool_call>{"name": "lookup", "arguments": {"q": "Peraida"}}</tool_call><|im_end|>\n'
        "Zaquu Sala<|im_end|>\n")


def test_the_tokenizers_own_template_is_used_when_it_has_one(tokenizer: Any) -> None:
    tokenizer.chat_template = (
        "{% for m in messages %}### {{ m['role'] }}:\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
        "{% if add_generation_prompt %}### assistant:\n{% endif %}")
    try:
        renderer = ChatRenderer(tokenizer)
        assert renderer.source == "tokenizer"
        row = ChatRow(line=1, messages=CONVERSATION, weights=[0, 0, 1, 0, 0])
        encoded = encode_row(renderer, row, max_length=512)
        learned = learned_text(tokenizer, encoded.input_ids, encoded.labels)
        assert learned == "Zaquu Sala<|im_end|>\n"
        assert ChatRenderer(tokenizer, use_default=True).source == "default"
    finally:
        tokenizer.chat_template = None


def test_a_template_that_rewrites_earlier_turns_is_refused(tokenizer: Any) -> None:
    tokenizer.chat_template = (
        "{% for m in messages %}{% if loop.last %}LAST {% endif %}{{ m['content'] }}\n{% endfor %}")
    try:
        row = ChatRow(line=1, messages=CONVERSATION, weights=[0, 0, 1, 0, 1])
        with pytest.raises(ChatTemplateError, match="--chat-template default"):
            encode_row(ChatRenderer(tokenizer), row, max_length=512)
    finally:
        tokenizer.chat_template = None


def test_truncation_keeps_the_start_and_drops_rows_left_with_nothing_to_learn(
        tokenizer: Any) -> None:
    renderer = ChatRenderer(tokenizer)
    row = ChatRow(line=1, messages=CONVERSATION, weights=[0, 0, 1, 0, 1])
    short = encode_row(renderer, row, max_length=8)
    assert short.truncated and len(short.input_ids) == 8 and short.learned_tokens == 0
    split = encode_rows(renderer, [row, row], max_length=8)
    assert split.rows == [] and split.dropped_rows == 2 and split.truncated_rows == 2


def test_batches_pad_labels_with_the_ignore_index(tokenizer: Any) -> None:
    renderer = ChatRenderer(tokenizer)
    long = encode_row(renderer, ChatRow(1, CONVERSATION, [0, 0, 1, 0, 1]), 512)
    short = encode_row(renderer, ChatRow(2, CONVERSATION[:3], [0, 0, 1]), 512)
    batch = collate([long, short], pad_id=0)
    width = len(long.input_ids)
    assert batch["input_ids"].shape == (2, width)
    assert batch["attention_mask"][1].sum() == len(short.input_ids)
    assert (batch["labels"][1, len(short.input_ids):] == IGNORE_INDEX).all()
