"""Version counters: how backward knows that a value it saved was changed in place.

Every tensor carries a version counter, shared by the tensors that view its memory
(``x.view(...)``, ``x[1:]``, ``x.detach()``); an in-place operation (``x.add_(1)``,
``x[0] = 2``, ``x += 1``, an optimizer step) adds one to it.  When a Function saves arrays
for backward, ``watch_saved`` notes the counter and current version of every input or
output tensor whose memory a saved array shares.  When backward reaches the node,
``check_saved`` compares: a newer version means the saved array no longer holds what
forward saw and the gradient would be silently wrong, so it raises PyTorch's error instead.

(``x.data`` is the exception, as in PyTorch: it shares memory but has a counter of its
own, so changes made through it are not seen.)
"""
from __future__ import annotations

from ..backend import array_module


class VersionCounter:
    """How many times a tensor's memory has been changed in place."""

    __slots__ = ("value",)

    def __init__(self):
        self.value = 0

    def bump(self) -> None:
        self.value += 1


def watch_saved(saved_arrays, tensors) -> tuple:
    """``(role, counter, version, shape, dtype)`` for each tensor in ``tensors`` (pairs of
    a role such as "input 0" and a Tensor) whose memory a saved array may share."""
    watched = []
    for role, tensor in tensors:
        for array in saved_arrays:
            if getattr(array, "ndim", None) is None:
                continue
            if array_module(array).may_share_memory(array, tensor.array):
                counter = tensor._version_counter
                watched.append((role, counter, counter.value, tensor.shape, tensor.dtype))
                break
    return tuple(watched)


def check_saved(watched, node_name: str) -> None:
    """Raise PyTorch's error if a watched tensor was changed in place since it was saved."""
    for role, counter, version, shape, dtype in watched:
        if counter.value != version:
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by "
                f"an inplace operation: [{dtype} tensor of shape {list(shape)}], which is "
                f"{role} of {node_name}, is at version {counter.value}; expected version "
                f"{version} instead. Hint: compute the new value out of place (y = x + 1 "
                "instead of x += 1), or change it only after backward")
