"""Norms and distances between vectors: ``normalize``, ``cosine_similarity``,
``pairwise_distance`` (PyTorch's formulas, eps included, so results agree to rounding)."""
from __future__ import annotations

import numpy as np

from ...ops.arguments import normalize_dims
from ...tensor import Tensor


def _check_tensors(name: str, *tensors) -> None:
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"{name}: expected Tensors, got {type(t).__name__}")
        if t.dtype.kind != "f":
            raise TypeError(f"{name}: expected floating point tensors, got {t.dtype}")


def _broadcast(name: str, x1: Tensor, x2: Tensor) -> tuple[Tensor, Tensor]:
    """x1 and x2 expanded to their common shape."""
    try:
        shape = np.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise ValueError(f"{name}: shapes {x1.shape} and {x2.shape} do not "
                         f"broadcast") from None
    return x1.expand(*shape), x2.expand(*shape)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out=None) -> Tensor:
    """x / max(‖x‖_p, eps), the p-norm taken along ``dim`` (kept for broadcasting)."""
    _check_tensors("normalize", input)
    if out is not None:
        raise NotImplementedError("normalize: out= is not supported by minidl; use the "
                                  "returned tensor")
    norm = input.norm(p, dim, keepdim=True).clamp_min(eps)
    return input / norm


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """Σ (x1 / max(‖x1‖, eps)) (x2 / max(‖x2‖, eps)) along ``dim``, after broadcasting
    x1 against x2; the result drops ``dim``.  (PyTorch divides by each norm first, which
    keeps the result in [-1, 1].)"""
    _check_tensors("cosine_similarity", x1, x2)
    x1, x2 = _broadcast("cosine_similarity", x1, x2)
    axis = normalize_dims(dim, x1.ndim, "cosine_similarity")[0]
    return (normalize(x1, 2.0, axis, eps) * normalize(x2, 2.0, axis, eps)).sum(axis)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """‖x1 - x2 + eps‖_p along the last dimension (of the broadcast shape)."""
    _check_tensors("pairwise_distance", x1, x2)
    x1, x2 = _broadcast("pairwise_distance", x1, x2)
    if x1.ndim == 0:
        raise ValueError("pairwise_distance: needs at least 1-D inputs, got 0-d tensors")
    return (x1 - x2 + eps).norm(p, -1, keepdim=keepdim)
