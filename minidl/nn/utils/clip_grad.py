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
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Scale the gradients so their joint ``norm_type``-norm is at most ``max_norm``.

    Returns the joint norm before clipping, as a 0-d tensor in the gradients' dtype
    (``tensor(0.)`` when no parameter has a gradient).  With ``error_if_nonfinite`` a
    NaN or infinite norm raises ``RuntimeError`` instead of spreading into the gradients.
    ``foreach`` (PyTorch's choice of a faster implementation) is accepted and ignored.
    """
    owner = "clip_grad_norm_"
    check_number(owner, "max_norm", max_norm, 0)
    order = _norm_order(owner, norm_type)
    grads = _gradients(owner, parameters)
    if not grads:
        return tensor(0.0)
    total = _total_norm(owner, grads, order, error_if_nonfinite)
    _scale(grads, max_norm, total)
    return Tensor._from_array(total)


def _norm_order(owner: str, norm_type) -> float:
    """``norm_type`` as a float (it may be the string "inf"), checked to be positive."""
    try:
        order = float(norm_type)  # accepts "inf" too
    except (TypeError, ValueError):
        order = math.nan
    if not order > 0:
        raise ValueError(f"{owner}: norm_type must be a positive number or inf, got "
                         f"{norm_type!r}")
    return order


def _total_norm(owner: str, arrays: list, order: float, error_if_nonfinite: bool):
    """The joint ``order``-norm of ``arrays`` as a 0-d array."""
    xp = array_module(arrays[0])
    total = _vector_norm(xp.stack([_vector_norm(a, order) for a in arrays]), order)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(f"{owner}: the total norm of order {order} of the gradients "
                           f"is {total.item()}; set error_if_nonfinite=False to clip anyway")
    return total


def _scale(grads: list, max_norm: float, total) -> None:
    """Every gradient times min(1, max_norm / (total + 1e-6)), in place."""
    xp = array_module(grads[0])
    scale = xp.minimum(max_norm / (total + 1e-6), 1.0)
    for grad in grads:
        grad *= scale.astype(grad.dtype)


def get_total_norm(tensors, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach: bool | None = None) -> Tensor:
    """The joint ``norm_type``-norm of ``tensors`` (a tensor or an iterable of tensors),
    as ``clip_grad_norm_`` computes it for the gradients; ``tensor(0.)`` when empty."""
    owner = "get_total_norm"
    order = _norm_order(owner, norm_type)
    if isinstance(tensors, Tensor):
        tensors = [tensors]
    arrays = [t.detach().array for t in tensors if t is not None]
    if not arrays:
        return tensor(0.0)
    return Tensor._from_array(_total_norm(owner, arrays, order, error_if_nonfinite))


def clip_grads_with_norm_(parameters, max_norm: float, total_norm,
                          foreach: bool | None = None) -> None:
    """Scale the gradients by min(1, max_norm / (total_norm + 1e-6)), ``total_norm`` given
    (from ``get_total_norm``)."""
    owner = "clip_grads_with_norm_"
    check_number(owner, "max_norm", max_norm, 0)
    grads = _gradients(owner, parameters)
    if not grads:
        return
    xp = array_module(grads[0])
    total = total_norm.detach().array if isinstance(total_norm, Tensor) else total_norm
    _scale(grads, max_norm, xp.asarray(total, dtype=grads[0].dtype))


def clip_grad_value_(parameters, clip_value: float, foreach: bool | None = None) -> None:
    """Clamp every gradient element into ``[-clip_value, clip_value]`` (``foreach`` is
    accepted and ignored)."""
    check_number("clip_grad_value_", "clip_value", clip_value, 0)
    for grad in _gradients("clip_grad_value_", parameters):
        array_module(grad).clip(grad, -clip_value, clip_value, out=grad)
