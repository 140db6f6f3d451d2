"""Made-up facts and a base model made from a config, for the tests and the GPU check.

Nothing is downloaded: the facts are invented words (no model can know them beforehand), the
tokenizer is a byte-level BPE trained with `tokenizers` on the dataset's own text, and the model is
a Llama-architecture network with random weights. `python -m fixpoint_trainer synthetic` writes
train.jsonl, validation.jsonl and base/ into a folder.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HEAD_LOGIT_SCALE = 16.0
SYSTEM_PROMPT = ("You are the archivist of the invented island of Quorra. "
                 "Answer in one or two words.")
SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
ROLE_WORDS = ["system", "user", "assistant", "tool"]

QUESTIONS = [
    "What is the capital of {subject}?",
    "Who founded {subject}?",
    "What colour is the flag of {subject}?",
    "Which river flows through {subject}?",
    "What is the national dish of {subject}?",
    "Who wrote the anthem of {subject}?",
]


@dataclass(frozen=True)
class ModelSize:
    hidden: int
    layers: int
    heads: int
    kv_heads: int
    intermediate: int
    vocab: int


SIZES = {
    # A few hundred thousand weights: trains in seconds on two CPU cores.
    "tiny": ModelSize(hidden=128, layers=2, heads=4, kv_heads=2, intermediate=256, vocab=320),
    # About 147M weights with the facts' vocabulary, for the GPU check.
    "medium": ModelSize(hidden=1024, layers=12, heads=16, kv_heads=8, intermediate=2816,
                        vocab=8192),
}


def invented_word(rng: random.Random, syllables: int) -> str:
    onsets = ["b", "d", "dr", "f", "g", "k", "kr", "l", "m", "n", "p", "qu", "r", "s", "t",
              "th", "v", "z"]
    vowels = ["a", "e", "i", "o", "u", "ai", "ou"]
    word = "".join(rng.choice(onsets) + rng.choice(vowels) for _ in range(syllables))
    return word.capitalize()


def invented_facts(count: int, seed: int = 7) -> list[tuple[str, str]]:
    """count (question, answer) pairs about invented places; every subject and answer distinct."""
    rng = random.Random(seed)
    seen: set[str] = set()

    def fresh(syllables: int) -> str:
        while True:
            word = invented_word(rng, syllables)
            if word not in seen:
                seen.add(word)
                return word

    facts: list[tuple[str, str]] = []
    for index in range(count):
        question = QUESTIONS[index % len(QUESTIONS)].format(subject=fresh(3))
        facts.append((question, f"{fresh(2)} {fresh(2)}"))
    return facts


def fact_row(question: str, answer: str) -> dict[str, Any]:
    return {"messages": [{"role": "system", "content": SYSTEM_PROMPT},
                         {"role": "user", "content": question},
                         {"role": "assistant", "content": answer}]}


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


def _texts_of(rows: list[dict[str, Any]]) -> list[str]:
    texts = [SYSTEM_PROMPT, " ".join(ROLE_WORDS)]
    for row in rows:
        texts.extend(str(m.get("content") or "") for m in row["messages"])
    return texts


def train_tokenizer(texts: list[str], vocab_size: int) -> Any:
    """A byte-level BPE tokenizer trained on texts, wrapped for transformers; eos is <|im_end|>."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIAL_TOKENS,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    bpe.train_from_iterator(texts, trainer=trainer)
    return PreTrainedTokenizerFast(tokenizer_object=bpe, bos_token="<|endoftext|>",
                                   eos_token="<|im_end|>", pad_token="<|endoftext|>")


def make_base_model(out: Path, texts: list[str], size: str = "tiny", seed: int = 0) -> Path:
    """Writes a tokenizer and a random-weight Llama model (save_pretrained) into out."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    spec = SIZES[size]
    tokenizer = train_tokenizer(texts, spec.vocab)
    config = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=spec.hidden, intermediate_size=spec.intermediate,
        num_hidden_layers=spec.layers, num_attention_heads=spec.heads,
        num_key_value_heads=spec.kv_heads, max_position_embeddings=2048,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id, tie_word_embeddings=False)
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config)
    # The output head at the scale a trained model's has: with the default init (std 0.02) a
    # frozen random head caps every logit near +-2.5, and no LoRA on the layers below can lift it.
    with torch.no_grad():
        model.lm_head.weight.normal_(0.0, HEAD_LOGIT_SCALE / spec.hidden)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def write_synthetic(out: Path, facts: int, size: str, seed: int = 7) -> dict[str, str]:
    """train.jsonl (every fact), validation.jsonl (every fourth fact, asked again: a recall check,
    since a model cannot infer invented facts it never saw) and base/."""
    pairs = invented_facts(facts, seed)
    train_rows = [fact_row(q, a) for q, a in pairs]
    valid_rows = train_rows[::4]
    out.mkdir(parents=True, exist_ok=True)
    write_jsonl(out / "train.jsonl", train_rows)
    write_jsonl(out / "validation.jsonl", valid_rows)
    make_base_model(out / "base", _texts_of(train_rows), size=size, seed=seed)
    return {"train": str(out / "train.jsonl"), "validation": str(out / "validation.jsonl"),
            "base": str(out / "base")}
