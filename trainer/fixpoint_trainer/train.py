"""One training run: check the data, load the base, LoRA, epochs, keep the best adapter, manifest.

Events, in order: validated, started, step*, epoch (+ checkpoint when it improved) per epoch, and
succeeded; the caller reports failed or cancelled. See trainer/README.md for their fields.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from accelerate.utils import set_seed
from transformers import get_cosine_schedule_with_warmup

from fixpoint_trainer.batching import make_loader
from fixpoint_trainer.cancel import CancelFlag, Cancelled
from fixpoint_trainer.chat_template import ChatRenderer
from fixpoint_trainer.dataset import ChatDataset, DatasetError, read_chat_jsonl
from fixpoint_trainer.events import EventWriter
from fixpoint_trainer.loss_mask import EncodedSplit, encode_rows
from fixpoint_trainer.manifest import Hyperparameters, build_manifest, write_manifest
from fixpoint_trainer.model_setup import (add_lora, load_base_model, load_tokenizer,
                                          trainable_parameters)
from fixpoint_trainer.runtime import (device_summary, library_versions, make_accelerator,
                                      peak_memory_bytes, weights_dtype)
from fixpoint_trainer.train_loop import LoopParts, LoopState, evaluate, run_epochs

ADAPTER_DIR_NAME = "adapter"


@dataclass
class TrainOptions:
    dataset: str
    base: str
    out: str
    validation: str | None = None
    epochs: int = 3
    learning_rate: float = 2e-4
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    max_length: int = 2048
    batch_size: int = 4
    grad_accum: int = 1
    warmup_ratio: float = 0.05
    seed: int = 0
    chat_template: str = "auto"  # "auto": the tokenizer's own, else the default; "default"
    gradient_checkpointing: bool = False

    def hyperparameters(self) -> Hyperparameters:
        return Hyperparameters(
            epochs=self.epochs, learning_rate=self.learning_rate, lora_r=self.lora_r,
            lora_alpha=self.lora_alpha, lora_dropout=self.lora_dropout,
            lora_target_modules="all-linear", max_length=self.max_length,
            batch_size=self.batch_size, grad_accum=self.grad_accum,
            warmup_ratio=self.warmup_ratio, lr_scheduler="cosine", seed=self.seed)


def _encode(renderer: ChatRenderer, dataset: ChatDataset, max_length: int) -> EncodedSplit:
    split = encode_rows(renderer, dataset.rows, max_length)
    if not split.rows:
        raise DatasetError(dataset.path, 0, "",
                           f"no row has an assistant token within --max-length {max_length}")
    return split


def _split_summary(dataset: ChatDataset, split: EncodedSplit) -> dict[str, Any]:
    return {"path": dataset.path, "sha256": dataset.sha256, **split.summary()}


def run_training(options: TrainOptions, events: EventWriter, cancel: CancelFlag) -> dict[str, Any]:
    started_at = time.perf_counter()
    if cancel.requested:
        raise Cancelled()
    accelerator = make_accelerator(options.grad_accum)
    events.enabled = events.enabled and accelerator.is_main_process
    set_seed(options.seed)
    out_dir = Path(options.out)
    out_dir.mkdir(parents=True, exist_ok=True)

    train_data = read_chat_jsonl(options.dataset)
    valid_data = read_chat_jsonl(options.validation) if options.validation else None
    tokenizer = load_tokenizer(options.base)
    renderer = ChatRenderer(tokenizer, use_default=options.chat_template == "default")
    train_split = _encode(renderer, train_data, options.max_length)
    valid_split = _encode(renderer, valid_data, options.max_length) if valid_data else None
    datasets = {"train": _split_summary(train_data, train_split),
                "validation": _split_summary(valid_data, valid_split)
                if valid_data and valid_split else None}
    events.emit("validated", chat_template=renderer.source, **{
        f"{name}_{key}": value for name, summary in datasets.items() if summary
        for key, value in summary.items() if key != "path"})
    if cancel.requested:
        raise Cancelled()

    model = load_base_model(options.base, weights_dtype(accelerator))
    model = add_lora(model, options.lora_r, options.lora_alpha, options.lora_dropout,
                     options.gradient_checkpointing)
    trainable, total = trainable_parameters(model)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad],
                                  lr=options.learning_rate, weight_decay=0.0)
    pad_id = int(tokenizer.pad_token_id)
    train_loader = make_loader(train_split.rows, options.batch_size, pad_id, True, options.seed)
    model, optimizer, train_loader = accelerator.prepare(model, optimizer, train_loader)
    valid_loader = None
    if valid_split:
        share = valid_split.rows[accelerator.process_index::accelerator.num_processes]
        valid_loader = make_loader(share, options.batch_size, pad_id, False, options.seed)
    steps_per_epoch = math.ceil(len(train_loader) / options.grad_accum)
    total_steps = steps_per_epoch * options.epochs
    scheduler = get_cosine_schedule_with_warmup(
        optimizer, round(total_steps * options.warmup_ratio), total_steps)
    parts = LoopParts(accelerator=accelerator, model=model, optimizer=optimizer,
                      scheduler=scheduler, train_loader=train_loader, valid_loader=valid_loader,
                      events=events, cancel=cancel, adapter_dir=out_dir / ADAPTER_DIR_NAME)
    state = LoopState(total_steps=total_steps)
    initial_valid_loss = evaluate(parts, valid_loader) if valid_loader else None
    device = device_summary(accelerator)
    events.emit("started", base_model=options.base, device=device, total_steps=total_steps,
                epochs=options.epochs, trainable_params=trainable, total_params=total,
                initial_valid_loss=initial_valid_loss)

    def manifest(status: str) -> dict[str, Any]:
        return build_manifest(
            status=status, base_model=options.base, hyperparameters=options.hyperparameters(),
            datasets=datasets, chat_template=renderer.source, state=state,
            initial_valid_loss=initial_valid_loss, wall_seconds=time.perf_counter() - started_at,
            device=device, peak_memory_bytes=peak_memory_bytes(accelerator),
            trainable_params=trainable, total_params=total, versions=library_versions(),
            adapter_dir=ADAPTER_DIR_NAME if state.best_epoch is not None else None)

    def write(status: str) -> dict[str, Any]:
        result = manifest(status)
        if accelerator.is_main_process:
            write_manifest(out_dir, result)
        return result

    try:
        run_epochs(parts, state, options.epochs, on_checkpoint=lambda: write("running"))
    except Cancelled:
        write("cancelled")  # the best adapter so far stays usable
        raise
    result = write("succeeded")
    accelerator.wait_for_everyone()
    return result
