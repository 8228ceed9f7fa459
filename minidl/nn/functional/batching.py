"""Image functions accept one image (C, H, W) or a batch (N, C, H, W), as PyTorch does."""
from __future__ import annotations

from ...tensor import Tensor


def as_batched(input: Tensor, op: str) -> Tensor:
    """A 4-D view of a (C, H, W) or (N, C, H, W) floating-point input."""
    if input.ndim not in (3, 4):
        raise ValueError(f"{op}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got "
                         f"shape {input.shape}")
    if input.dtype.kind != "f":
        raise TypeError(f"{op}: input must be floating point, got {input.dtype}")
    return input.unsqueeze(0) if input.ndim == 3 else input


def like_input(output: Tensor, input: Tensor) -> Tensor:
    """Drop the batch dimension that ``as_batched`` added."""
    return output.squeeze(0) if input.ndim == 3 else output
