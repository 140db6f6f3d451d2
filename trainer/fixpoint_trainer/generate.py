"""Loads a base model with a trained adapter (peft) and answers a conversation, greedily."""

from __future__ import annotations

from typing import Any

import torch
from peft import PeftModel

from fixpoint_trainer.chat_template import END_OF_TURN_MARKERS, ChatRenderer
from fixpoint_trainer.model_setup import load_base_model, load_tokenizer


class TunedModel:
    def __init__(self, base: str, adapter: str | None, chat_template: str = "auto",
                 device: str | None = None) -> None:
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        dtype = torch.bfloat16 if self.device.type == "cuda" else torch.float32
        self.tokenizer = load_tokenizer(base)
        self.renderer = ChatRenderer(self.tokenizer, use_default=chat_template == "default")
        model: Any = load_base_model(base, dtype)
        model.config.use_cache = True  # off for training; generation wants its KV cache
        if adapter:
            model = PeftModel.from_pretrained(model, adapter)
        self.model = model.to(self.device).eval()
        self.stop_ids = self._stop_ids()

    def _stop_ids(self) -> list[int]:
        vocab = self.tokenizer.get_vocab()
        ids = {vocab[marker] for marker in END_OF_TURN_MARKERS if marker in vocab}
        if self.tokenizer.eos_token_id is not None:
            ids.add(int(self.tokenizer.eos_token_id))
        return sorted(ids)

    def answer(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None,
               max_new_tokens: int = 64) -> str:
        prompt = self.renderer.render(messages, tools, add_generation_prompt=True)
        ids = self.tokenizer(prompt, add_special_tokens=False, return_tensors="pt")["input_ids"]
        ids = ids.to(self.device)
        with torch.no_grad():
            output = self.model.generate(
                input_ids=ids, attention_mask=torch.ones_like(ids), max_new_tokens=max_new_tokens,
                do_sample=False, eos_token_id=self.stop_ids,
                pad_token_id=self.tokenizer.pad_token_id)
        text = self.tokenizer.decode(output[0, ids.shape[1]:], skip_special_tokens=False)
        for marker in END_OF_TURN_MARKERS:  # cut at the end of the turn, marker or not a token
            text = text.split(marker)[0]
        return text.strip()
