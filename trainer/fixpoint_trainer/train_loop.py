"""The epochs: optimizer steps with progress events, a validation pass after each epoch, and the
best adapter (lowest validation loss) written to disk whenever an epoch improves on it.

Every process of a distributed run executes the same number of steps; one small all-reduce per
step carries the loss, the token count and whether any process was asked to cancel.
"""

from __future__ import annotations

import math
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import torch
import torch.nn.functional as F
from accelerate import Accelerator
from torch.utils.data import DataLoader

from fixpoint_trainer.cancel import CancelFlag, Cancelled
from fixpoint_trainer.events import EventWriter
from fixpoint_trainer.loss_mask import IGNORE_INDEX


@dataclass
class LoopState:
    total_steps: int
    step: int = 0
    epoch: int = 0
    steps: list[dict[str, float]] = field(default_factory=list)
    epochs: list[dict[str, Any]] = field(default_factory=list)
    best_epoch: int | None = None
    best_loss: float = math.inf
    tokens: int = 0
    train_seconds: float = 0.0


@dataclass
class LoopParts:
    accelerator: Accelerator
    model: Any  # the peft model, prepared (wrapped for DDP when distributed)
    optimizer: Any
    scheduler: Any
    train_loader: DataLoader[Any]
    valid_loader: DataLoader[Any] | None  # this process's share, not prepared (see evaluate)
    events: EventWriter
    cancel: CancelFlag
    adapter_dir: Path


def evaluate(parts: LoopParts, loader: DataLoader[Any]) -> float:
    """Mean cross-entropy per assistant token over every process's share of the loader.

    Runs the unwrapped model, so processes with different numbers of batches never wait on each
    other inside DDP; only the two sums are reduced at the end.
    """
    accelerator = parts.accelerator
    model = accelerator.unwrap_model(parts.model)
    model.eval()
    sums = torch.zeros(2, dtype=torch.float64, device=accelerator.device)
    with torch.no_grad(), accelerator.autocast():
        for batch in loader:
            # Alone, stop at once; several processes agree on it at the next step instead.
            if parts.cancel.requested and accelerator.num_processes == 1:
                raise Cancelled()
            batch = {k: v.to(accelerator.device) for k, v in batch.items()}
            logits = model(input_ids=batch["input_ids"],
                           attention_mask=batch["attention_mask"]).logits[:, :-1]
            labels = batch["labels"][:, 1:]
            loss = F.cross_entropy(logits.float().reshape(-1, logits.size(-1)),
                                   labels.reshape(-1), ignore_index=IGNORE_INDEX, reduction="sum")
            sums[0] += loss.double()
            sums[1] += (labels != IGNORE_INDEX).sum()
    model.train()
    sums = accelerator.reduce(sums, reduction="sum")
    return float(sums[0] / sums[1]) if sums[1] > 0 else math.nan


def _reduce_step(parts: LoopParts, loss_sum: float, micro: int,
                 tokens: int) -> tuple[float, int, bool]:
    accelerator = parts.accelerator
    values = torch.tensor([loss_sum, micro, tokens, float(parts.cancel.requested)],
                          dtype=torch.float64, device=accelerator.device)
    values = accelerator.reduce(values, reduction="sum")
    return float(values[0] / values[1]), int(values[2]), bool(values[3] > 0)


def train_epoch(parts: LoopParts, state: LoopState) -> float:
    """One pass over the training data; returns the mean step loss."""
    accelerator, model = parts.accelerator, parts.model
    model.train()
    started = time.perf_counter()
    epoch_losses: list[float] = []
    loss_sum, micro, tokens = 0.0, 0, 0
    for batch in parts.train_loader:
        with accelerator.accumulate(model):
            loss = model(**batch).loss
            accelerator.backward(loss)
            if accelerator.sync_gradients:
                accelerator.clip_grad_norm_(model.parameters(), 1.0)
            parts.optimizer.step()
            parts.optimizer.zero_grad(set_to_none=True)
        loss_sum += float(loss.detach())
        micro += 1
        tokens += int(batch["attention_mask"].sum())
        if not accelerator.sync_gradients:
            continue
        parts.scheduler.step()
        step_loss, step_tokens, cancel = _reduce_step(parts, loss_sum, micro, tokens)
        loss_sum, micro, tokens = 0.0, 0, 0
        if cancel:
            raise Cancelled()
        state.step += 1
        state.tokens += step_tokens
        epoch_losses.append(step_loss)
        state.steps.append({"step": state.step, "loss": step_loss})
        parts.events.emit("step", step=state.step, total_steps=state.total_steps,
                          epoch=state.epoch, loss=round(step_loss, 6),
                          lr=parts.scheduler.get_last_lr()[0])
    state.train_seconds += time.perf_counter() - started
    return sum(epoch_losses) / max(len(epoch_losses), 1)


def save_adapter(parts: LoopParts) -> None:
    """Writes the adapter beside its final place, then swaps it in: never half an adapter."""
    accelerator = parts.accelerator
    if accelerator.is_main_process:
        staging = parts.adapter_dir.with_name(parts.adapter_dir.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        accelerator.unwrap_model(parts.model).save_pretrained(staging)
        shutil.rmtree(parts.adapter_dir, ignore_errors=True)
        staging.rename(parts.adapter_dir)
    accelerator.wait_for_everyone()


def run_epochs(parts: LoopParts, state: LoopState, epochs: int,
               on_checkpoint: Callable[[], object]) -> None:
    for epoch in range(1, epochs + 1):
        state.epoch = epoch
        train_loss = train_epoch(parts, state)
        valid_loss = evaluate(parts, parts.valid_loader) if parts.valid_loader else None
        # Without a validation split the training loss decides which epoch is kept.
        score = valid_loss if valid_loss is not None else train_loss
        state.epochs.append({"epoch": epoch, "step": state.step, "train_loss": train_loss,
                             "valid_loss": valid_loss})
        parts.events.emit("epoch", epoch=epoch, step=state.step, train_loss=round(train_loss, 6),
                          valid_loss=None if valid_loss is None else round(valid_loss, 6))
        if state.best_epoch is None or score < state.best_loss:
            state.best_loss, state.best_epoch = score, epoch
            save_adapter(parts)
            on_checkpoint()
            parts.events.emit("checkpoint", epoch=epoch, step=state.step,
                              train_loss=round(train_loss, 6),
                              valid_loss=None if valid_loss is None else round(valid_loss, 6),
                              path=str(parts.adapter_dir))
