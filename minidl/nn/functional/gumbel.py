"""``gumbel_softmax``: a differentiable sample of a categorical distribution.

    g = -log(E), E ~ Exponential(1)      (Gumbel(0, 1) noise, one per logit)
    y_soft = softmax((logits + g) / tau, dim)
    hard:  y = one_hot(argmax y_soft) - stop_gradient(y_soft) + y_soft

As tau -> 0, y_soft approaches a one-hot sample of softmax(logits); argmax(logits + g) is
an exact sample of it (the Gumbel-max trick).  ``hard=True`` returns the one-hot vector in
the forward pass and y_soft's gradient in the backward pass (the straight-through
estimator).  The noise comes from minidl's generator, so samples differ from PyTorch's.
"""
from __future__ import annotations

from ... import creation
from ...tensor import Tensor
from .activation import softmax


def gumbel_softmax(logits: Tensor, tau: float = 1.0, hard: bool = False,
                   eps: float = 1e-10, dim: int = -1) -> Tensor:
    """(*) logits -> (*) samples on the simplex along ``dim`` (one-hot when ``hard``)."""
    if not isinstance(logits, Tensor) or logits.dtype.kind != "f":
        raise TypeError("gumbel_softmax: logits must be a floating point Tensor")
    if not isinstance(tau, int | float) or isinstance(tau, bool) or not tau > 0:
        raise ValueError(f"gumbel_softmax: tau must be a positive number, got {tau!r}")
    if logits.ndim == 0:
        raise ValueError("gumbel_softmax: logits must have at least one dimension")
    if not -logits.ndim <= dim < logits.ndim:
        raise IndexError(f"gumbel_softmax: dim {dim} is out of range for a tensor of "
                         f"{logits.ndim} dimensions")
    uniform = creation.rand(*logits.shape, dtype=logits.dtype, device=logits.device)
    exponential = (-(-uniform).log1p()).clamp(min=float(eps) if eps > 0 else 1e-30)
    gumbels = -exponential.log()
    y_soft = softmax((logits + gumbels) / tau, dim=dim)
    if not hard:
        return y_soft
    index = y_soft.argmax(dim=dim, keepdim=True)
    positions = creation.arange(logits.shape[dim], device=logits.device)
    shape = [1] * logits.ndim
    shape[dim] = logits.shape[dim]
    y_hard = (positions.reshape(*shape) == index).to(logits.dtype)
    return y_hard - y_soft.detach() + y_soft
