"""Which number format inference runs in: bfloat16 where the CPU multiplies it natively, else float32.

Why: on CPUs with AVX512-BF16 or AMX (AMD Zen 4+, Intel Sapphire Rapids+) bfloat16 matrix multiplies are much faster
than float32 ones, and a transformer's forward pass is almost all matrix multiplies: 1.5x the texts/s here
(`benchmarks/bench_model.py`). Scores move by about 0.006 log-odds on average (`benchmarks/compare_precision.py`),
far below what could change a ranking; the model card's evaluation records the precision it ran in. Where the
CPU lacks native bfloat16 it would be emulated and slower, so "auto" stays in float32 there.

Under torch.autocast the matrix multiplies and attention run in bfloat16 while layer norms and softmax keep
float32; the classification head runs in float32 so the logits are not rounded to bfloat16's 8-bit mantissa.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import torch

from .config import Precision


def native_bfloat16() -> bool:
    """True when this CPU multiplies bfloat16 in hardware (AVX512-BF16 or AMX tiles)."""
    return bool(torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())


def resolve(precision: Precision, device: str = "cpu") -> torch.dtype:
    """The dtype a setting means on this machine (`device` "cuda": bfloat16 where the GPU has it, Ampere and newer)."""
    if precision == "auto":
        if device.startswith("cuda"):
            return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float32
        return torch.bfloat16 if native_bfloat16() else torch.float32
    return torch.bfloat16 if precision == "bfloat16" else torch.float32


class Float32Head(torch.nn.Module):
    """Runs the wrapped classification head outside autocast, on float32 inputs."""

    def __init__(self, head: torch.nn.Module):
        super().__init__()
        self.head = head

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        with torch.autocast("cpu", enabled=False):
            return self.head(*(a.float() if torch.is_tensor(a) else a for a in args), **kwargs)


def prepare(model: Any, dtype: torch.dtype) -> Any:
    """Make a loaded model ready to run in `dtype` (inference only; the model is never saved afterwards).

    - The `classifier` head (BERT, RoBERTa, DistilBERT name it so) is wrapped to keep its logits float32.
    - Every other linear layer stores its weights in `dtype` once. Autocast would cast them again on every call
      (its cast cache lives only inside one autocast region): for MiniLM-L6 that is 10.6M numbers per call, a
      fixed cost that weighs most on a single short text. Autocast casts with the same rounding, so the scores
      are identical (tests/model/test_precision.py).
    """
    if dtype == torch.float32:
        return model
    head = getattr(model, "classifier", None)
    if isinstance(head, torch.nn.Module) and not isinstance(head, Float32Head):
        model.classifier = head = Float32Head(head)
    in_head = set(head.modules()) if isinstance(head, torch.nn.Module) else set()
    for module in model.modules():
        if isinstance(module, torch.nn.Linear) and module not in in_head:
            module.to(dtype)
    return model


@contextlib.contextmanager
def autocast(dtype: torch.dtype, device_type: str = "cpu") -> Iterator[None]:
    """An autocast region for bfloat16 on `device_type` ("cpu" or "cuda"); float32 runs as it is."""
    if dtype == torch.float32:
        yield
        return
    with torch.autocast(device_type, dtype=dtype):
        yield
