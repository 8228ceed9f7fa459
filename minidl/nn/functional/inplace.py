"""``inplace=True`` of the activations and dropout: the input itself receives the result.

Outside a recorded graph (under ``no_grad``, or for a tensor that requires no gradient)
the values are simply overwritten.  Inside one, the change is recorded as PyTorch records
it (``Tensor._inplace``): the tensor takes the result's place in the graph, nodes recorded
earlier still reach the value they used, a node that saved the overwritten memory for
backward raises PyTorch's "modified by an inplace operation" error there, and a leaf that
requires grad (or a view of one) is refused at once.
"""
from __future__ import annotations

from ...tensor import Tensor


def in_place(op: str, input: Tensor, compute) -> Tensor:
    """``input``, overwritten with ``compute(input)`` (a tensor of its shape and dtype)."""
    return input._inplace(op, compute)
