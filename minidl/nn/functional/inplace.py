"""``inplace=True`` of the activations and dropout: the input itself receives the result.

minidl changes a tensor in place only outside a recorded graph (under ``no_grad``, or
for a tensor that requires no gradient): a node that already used the tensor would
otherwise see its values change under it.  Inside a graph, ``inplace=True`` is refused
with a one-line error rather than silently computing out of place.
"""
from __future__ import annotations

from ...autograd.grad_mode import is_grad_enabled
from ...tensor import Tensor


def in_place(op: str, input: Tensor, compute) -> Tensor:
    """``input``, overwritten with ``compute(input)`` (a tensor of its shape and dtype)."""
    if is_grad_enabled() and input.requires_grad:
        raise RuntimeError(f"{op}: inplace=True on a tensor that requires grad is not "
                           "supported inside a recorded graph; use inplace=False (the "
                           "same values, out of place) or run under minidl.no_grad()")
    return input.copy_(compute(input))
