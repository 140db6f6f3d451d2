"""Fixpoint's local LoRA trainer: OpenAI chat fine-tuning JSONL in, a peft adapter out."""

__version__ = "0.1.0"
