"""manifest.json: what was trained, on what, how, and how it went. Written beside the adapter."""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

MANIFEST_FORMAT = "fixpoint-trainer-manifest/1"


@dataclass
class Hyperparameters:
    epochs: int
    learning_rate: float
    lora_r: int
    lora_alpha: int
    lora_dropout: float
    lora_target_modules: str
    max_length: int
    batch_size: int
    grad_accum: int
    warmup_ratio: float
    lr_scheduler: str
    seed: int


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def build_manifest(*, status: str, base_model: str, hyperparameters: Hyperparameters,
                   datasets: dict[str, Any], chat_template: str, state: Any,
                   initial_valid_loss: float | None, wall_seconds: float,
                   device: dict[str, Any], peak_memory_bytes: int | None,
                   trainable_params: int, total_params: int,
                   versions: dict[str, str], adapter_dir: str | None) -> dict[str, Any]:
    tokens_per_second = state.tokens / state.train_seconds if state.train_seconds else None
    return _finite({
        "format": MANIFEST_FORMAT,
        "status": status,
        "base_model": base_model,
        "adapter_dir": adapter_dir,
        "hyperparameters": asdict(hyperparameters),
        "datasets": datasets,
        "chat_template": chat_template,
        "parameters": {"trainable": trainable_params, "total": total_params},
        "loss_curve": {"initial_valid_loss": initial_valid_loss, "epochs": state.epochs,
                       "steps": state.steps},
        "best": {"epoch": state.best_epoch,
                 "loss": state.best_loss if state.best_epoch is not None else None},
        "steps": state.step,
        "train_tokens": state.tokens,
        "train_seconds": round(state.train_seconds, 3),
        "tokens_per_second": None if tokens_per_second is None else round(tokens_per_second, 1),
        "wall_seconds": round(wall_seconds, 3),
        "device": device,
        "peak_memory_bytes": peak_memory_bytes,
        "versions": versions,
    })


def write_manifest(out_dir: Path, manifest: dict[str, Any]) -> Path:
    path = out_dir / "manifest.json"
    staging = out_dir / "manifest.json.partial"
    staging.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    os.replace(staging, path)
    return path
