"""Where the run executes: the accelerate Accelerator (one process, or several under
`accelerate launch`), bf16 on CUDA when the card supports it, and what to record about it."""

from __future__ import annotations

import platform
from typing import Any

import torch
from accelerate import Accelerator


def cuda_bf16_available() -> bool:
    return torch.cuda.is_available() and torch.cuda.is_bf16_supported()


def make_accelerator(grad_accum: int) -> Accelerator:
    precision = "bf16" if cuda_bf16_available() else "no"
    # cpu=True without CUDA: several processes (torchrun) then join over gloo instead of each
    # believing it is alone.
    return Accelerator(mixed_precision=precision, gradient_accumulation_steps=grad_accum,
                       cpu=not torch.cuda.is_available())


def weights_dtype(accelerator: Accelerator) -> torch.dtype:
    """The frozen base weights are kept in bf16 on CUDA (half the memory); the LoRA weights stay
    float32 (peft's default), and autocast runs the matmuls in bf16."""
    return torch.bfloat16 if accelerator.mixed_precision == "bf16" else torch.float32


def device_summary(accelerator: Accelerator) -> dict[str, Any]:
    device = accelerator.device
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else platform.processor()
    return {"type": device.type, "name": name or device.type,
            "processes": accelerator.num_processes, "precision": accelerator.mixed_precision,
            "cpu_threads": torch.get_num_threads()}


def peak_memory_bytes(accelerator: Accelerator) -> int | None:
    if accelerator.device.type != "cuda":
        return None
    return int(torch.cuda.max_memory_allocated(accelerator.device))


def library_versions() -> dict[str, str]:
    import accelerate
    import peft
    import transformers

    return {"python": platform.python_version(), "torch": torch.__version__,
            "transformers": transformers.__version__, "peft": peft.__version__,
            "accelerate": accelerate.__version__}
