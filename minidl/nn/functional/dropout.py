"""Dropout: during training zero each element with probability p and scale the survivors
by 1/(1-p), so the expected value is unchanged and evaluation needs no rescaling.

``dropout2d`` drops whole channels (feature maps) instead of single elements: neighbouring
pixels of a feature map are strongly correlated, so element-wise dropout would hardly
regularize a convolution's output.
"""
from __future__ import annotations

import warnings

from ... import random as _random
from ...backend import array_module, to_device
from ...tensor import Tensor
from .inplace import in_place


def _check_p(op: str, p: float) -> None:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}: p must be in [0, 1], got {p}")


def _masked(input: Tensor, p: float, mask_shape: tuple) -> Tensor:
    """input × (keep mask of ``mask_shape``, broadcast) / (1 - p)."""
    if p == 1.0:
        return input * 0.0
    keep = _random.generator().random(mask_shape) >= p
    xp = array_module(input.array)
    mask = xp.asarray(to_device(keep, input.device), dtype=input.dtype) / input.dtype.type(1 - p)
    return input * mask


def dropout(input: Tensor, p: float = 0.5, training: bool = True,
            inplace: bool = False) -> Tensor:
    _check_p("dropout", p)
    if not training or p == 0.0:
        return input
    if inplace:
        return in_place("dropout", input, lambda x: dropout(x, p, training))
    return _masked(input, p, input.shape)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels: each (sample, channel) map of (N, C, H, W) is kept with
    probability 1 - p (and scaled by 1/(1-p)) or zeroed.

    A 3-D input is taken as (N, C, L), one mask value per (sample, channel), as PyTorch
    does today (it warns that this will become (C, H, W)).
    """
    _check_p("dropout2d", p)
    if input.ndim not in (3, 4):
        raise ValueError(f"dropout2d: expected a 4-D (N, C, H, W) or 3-D input, got shape "
                         f"{input.shape}")
    if input.ndim == 3:
        warnings.warn("dropout2d: a 3-D input is taken as (N, C, L), one mask value per "
                      "channel of each sample, as PyTorch does today (a later PyTorch takes "
                      "it as one (C, H, W) image)", UserWarning, stacklevel=2)
    if not training or p == 0.0:
        return input
    if inplace:
        return in_place("dropout2d", input, lambda x: dropout2d(x, p, training))
    return _masked(input, p, input.shape[:2] + (1,) * (input.ndim - 2))
