"""Dropout: during training zero each element with probability p and scale the survivors
by 1/(1-p), so the expected value is unchanged and evaluation needs no rescaling."""
from __future__ import annotations

from ... import random as _random
from ...backend import array_module, to_device
from ...tensor import Tensor


def dropout(input: Tensor, p: float = 0.5, training: bool = True,
            inplace: bool = False) -> Tensor:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: p must be in [0, 1], got {p}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    keep = _random.generator().random(input.shape) >= p
    xp = array_module(input.array)
    mask = xp.asarray(to_device(keep, input.device), dtype=input.dtype) / input.dtype.type(1 - p)
    return input * mask
