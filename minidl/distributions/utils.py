"""``torch.distributions.utils``: what several distributions share.

* ``broadcast_all``: parameters (tensors or numbers) as tensors of one broadcast shape;
* ``probs_to_logits`` / ``logits_to_probs``: p ↔ logits, p = σ(l) for a binary outcome,
  p = softmax(l) over the last dimension for a categorical one;
* ``clamp_probs``: p kept in [ε, 1 - ε] so that ln p and ln(1 - p) stay finite;
* ``draw``: raw samples from minidl's global generator as a tensor like a parameter;
* ``matrix_diagonal``: the diagonal of each matrix of a batch, differentiably.
"""
from __future__ import annotations

import numpy as np

from .. import random as _random
from ..backend import to_device
from ..creation import eye, tensor
from ..dtypes import get_default_dtype
from ..tensor import Tensor
from ..tensor_functions import broadcast_tensors
from ..type_info import finfo


def broadcast_all(*values) -> tuple[Tensor, ...]:
    """Tensors and numbers as tensors of their common shape; numbers take the dtype and
    device of the first tensor (the default dtype when there is none)."""
    tensors = [v for v in values if isinstance(v, Tensor)]
    for value in values:
        if not isinstance(value, Tensor | int | float | np.number) or isinstance(value, bool):
            raise TypeError("expected tensors or numbers as parameters, got "
                            f"{type(value).__name__}")
    dtype = tensors[0].dtype if tensors else get_default_dtype()
    if dtype.kind != "f":
        dtype = get_default_dtype()
    device = tensors[0].device if tensors else None
    as_tensors = [v if isinstance(v, Tensor) else tensor(float(v), dtype=dtype, device=device)
                  for v in values]
    return broadcast_tensors(*as_tensors)


def clamp_probs(probs: Tensor) -> Tensor:
    eps = finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    """ln p (categorical) or ln p - ln(1 - p) (binary), with p clamped away from 0 and 1."""
    clamped = clamp_probs(probs)
    return clamped.log() - (-clamped).log1p() if is_binary else clamped.log()


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    """σ(l) (binary) or softmax(l) over the last dimension (categorical)."""
    return logits.sigmoid() if is_binary else logits.softmax(-1)


def draw(shape, like: Tensor, sampler) -> Tensor:
    """``sampler(numpy_generator, shape)`` drawn from minidl's global stream (so that
    ``manual_seed`` fixes it), as a tensor of ``like``'s dtype and device, no gradient."""
    array = np.asarray(sampler(_random.generator(), tuple(shape)), dtype=like.dtype)
    return Tensor._from_array(to_device(array, like.device))


def matrix_diagonal(matrix: Tensor) -> Tensor:
    """The diagonals of a (..., n, n) batch of matrices, shape (..., n)."""
    return (matrix * eye(matrix.shape[-1], dtype=matrix.dtype, device=matrix.device)).sum(-1)


def one_of_probs_logits(probs, logits, distribution: str) -> str:
    """Which of ``probs`` and ``logits`` was given; exactly one must be."""
    if (probs is None) == (logits is None):
        raise ValueError(f"{distribution}: either `probs` or `logits` must be specified, "
                         "but not both.")
    return "probs" if probs is not None else "logits"
