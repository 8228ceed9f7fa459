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


class VersionCounter:
    """How many times a tensor's memory has been changed in place."""

    __slots__ = ("value",)

    def __init__(self):
        self.value = 0

    def bump(self) -> None:
        self.value += 1


def memory_owner(array):
    """The array that owns ``array``'s memory: itself, or the array its views lead back to."""
    while getattr(array.base, "ndim", None) is not None:
        array = array.base
    return array


def watch_saved(saved_arrays, inputs, output) -> tuple:
    """``(role, counter, version, shape, dtype)`` for the output and each input Tensor whose
    memory a saved array shares (role: -1 for the output, else the input's position)."""
    owners = {id(memory_owner(a)) for a in saved_arrays if getattr(a, "ndim", None) is not None}
    if not owners:
        return ()
    watched = []
    tensors = [(i, value) for i, value in enumerate(inputs) if hasattr(value, "grad_fn")]
    for role, tensor in tensors + [(-1, output)]:
        memory = tensor.array
        if id(memory_owner(memory)) in owners:
            counter = tensor._version_counter
            watched.append((role, counter, counter.value, memory.shape, memory.dtype))
    return tuple(watched)


def check_saved(watched, node_name: str) -> None:
    """Raise PyTorch's error if a watched tensor was changed in place since it was saved."""
    for role, counter, version, shape, dtype in watched:
        if counter.value != version:
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by "
                f"an inplace operation: [{dtype} tensor of shape {list(shape)}], which is "
                f"{'output 0' if role < 0 else f'input {role}'} of {node_name}, is at "
                f"version {counter.value}; expected version "
                f"{version} instead. Hint: compute the new value out of place (y = x + 1 "
                "instead of x += 1), or change it only after backward")
