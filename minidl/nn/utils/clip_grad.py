"""Gradient clipping: keep one bad batch from throwing the parameters far away.

``clip_grad_norm_`` rescales all gradients together so that their joint p-norm -- the
p-norm of the vector of every gradient element -- is at most ``max_norm``::

    total = (sum_i ||g_i||_p ** p) ** (1 / p)          (p = inf: max_i ||g_i||_inf)
    g_i  <- g_i * min(1, max_norm / (total + 1e-6))

``clip_grad_value_`` clamps each gradient element into ``[-clip_value, clip_value]``.
Both change ``p.grad`` in place and skip parameters whose ``grad`` is ``None``.
"""
from __future__ import annotations

import math

from ...backend import array_module
from ...creation import tensor
from ...ops.arguments import check_number
from ...tensor import Tensor


def _gradients(owner: str, parameters) -> list:
    """The raw gradient arrays of ``parameters`` (a tensor or an iterable of tensors)."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    grads = [p.grad.array for p in parameters if p.grad is not None]
    devices = {array_module(g).__name__ for g in grads}
    if len(devices) > 1:
        raise RuntimeError(f"{owner}: the gradients are on several devices "
                           f"({sorted(devices)}); move the parameters to one device")
    return grads


def _vector_norm(array, norm_type: float):
    """The p-norm of all elements of ``array`` as a 0-d array (``inf``: the largest |x|)."""
    xp = array_module(array)
    magnitude = xp.abs(array)
    if norm_type == math.inf:
        norm = magnitude.max() if magnitude.size else 0
    else:
        norm = (magnitude ** norm_type).sum() ** (1 / norm_type)
    return xp.asarray(norm, dtype=array.dtype)


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False) -> Tensor:
    """Scale the gradients so their joint ``norm_type``-norm is at most ``max_norm``.

    Returns the joint norm before clipping, as a 0-d tensor in the gradients' dtype
    (``tensor(0.)`` when no parameter has a gradient).  With ``error_if_nonfinite`` a
    NaN or infinite norm raises ``RuntimeError`` instead of spreading into the gradients.
    """
    owner = "clip_grad_norm_"
    check_number(owner, "max_norm", max_norm, 0)
    try:
        order = float(norm_type)  # accepts "inf" too
    except (TypeError, ValueError):
        order = math.nan
    if not order > 0:
        raise ValueError(f"{owner}: norm_type must be a positive number or inf, got "
                         f"{norm_type!r}")
    grads = _gradients(owner, parameters)
    if not grads:
        return tensor(0.0)
    xp = array_module(grads[0])
    total = _vector_norm(xp.stack([_vector_norm(g, order) for g in grads]), order)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(f"{owner}: the total norm of order {order} of the gradients "
                           f"is {total.item()}; set error_if_nonfinite=False to clip anyway")
    scale = xp.minimum(max_norm / (total + 1e-6), 1.0)
    for grad in grads:
        grad *= scale
    return Tensor._from_array(total)


def clip_grad_value_(parameters, clip_value: float) -> None:
    """Clamp every gradient element into ``[-clip_value, clip_value]``."""
    check_number("clip_grad_value_", "clip_value", clip_value, 0)
    for grad in _gradients("clip_grad_value_", parameters):
        array_module(grad).clip(grad, -clip_value, clip_value, out=grad)
