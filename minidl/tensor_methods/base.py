"""What Tensor's method groups share: their base class, and the helpers that several groups
(and ``minidl/tensor.py``) use.
"""
from __future__ import annotations

from collections import namedtuple
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..tensor import Tensor  # bound at run time by bind(), in __init__.py

ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])


class TensorMethods:
    """The base of a group of Tensor's methods.  It adds no state: ``__slots__ = ()`` (in
    every group too) keeps tensors without a ``__dict__``.  A group's methods use the core's
    attributes and methods and the other groups' methods on ``self``; the type checker, which
    sees the group alone, finds them in the declarations below, made for it only."""

    __slots__ = ()

    if TYPE_CHECKING:
        array: Any
        grad_fn: Any
        _requires_grad: Any

        def __getattr__(self, name: str) -> Any: ...

        def __getitem__(self, index: Any) -> Any: ...


def _as_tensor(value, like: Tensor) -> Tensor:
    """``value`` as a Tensor on ``like``'s device (data keeps its dtype)."""
    if isinstance(value, Tensor):
        return value
    from ..creation import tensor  # creation builds on Tensor
    return tensor(value, device=like.device)


def _shape_args(shape: tuple) -> tuple:
    """Accept both ``f(2, 3)`` and ``f((2, 3))``."""
    if len(shape) == 1 and isinstance(shape[0], list | tuple):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)
