"""Version counters: how backward knows that a value it saved was changed in place.

Every tensor carries a version counter, shared by the tensors that view its memory
(``x.view(...)``, ``x[1:]``, ``x.detach()``); an in-place operation (``x.add_(1)``,
``x[0] = 2``, ``x += 1``, an optimizer step) adds one to it.  When a Function runs forward
in a graph, ``note_versions`` notes the counter and current version of its inputs and its
output.  When backward reaches the node, ``check_saved`` compares them: if a tensor whose
memory the node saved for backward has a newer version, the saved array no longer holds
what forward saw and the gradient would be silently wrong, so it raises PyTorch's error
instead.  (Which memory was saved is only worked out in that rare case.)

(``x.data`` is the exception, as in PyTorch: it shares memory but has a counter of its
own, so changes made through it are not seen.)
"""
from __future__ import annotations


class VersionCounter:
    """How many times a tensor's memory has been changed in place (``value``), and the
    value after the last change the graph recorded (``rewritten``; -1 before any): views
    made before it hold stale nodes (``views.py``)."""

    __slots__ = ("value", "rewritten")

    def __init__(self):
        self.value = 0
        self.rewritten = -1

    def bump(self) -> None:
        self.value += 1


def memory_owner(array):
    """The array that owns ``array``'s memory: itself, or the array its views lead back to."""
    base = array.base
    while base is not None and type(base) is type(array):
        array, base = base, base.base
    return array


def note_versions(inputs, output) -> list:
    """``(counter, version, memory, position, dtype, shape)`` for each input Tensor
    (``position`` its index) and the output (``position`` None): what backward compares.

    ``memory`` is the id of the array owning the tensor's memory, not the array: a node
    keeps neither its inputs' nor its output's values alive (only what it saved for
    backward).  The ids stay meaningful: when they are noted, every array saved for
    backward is alive too, and stays alive until the check, so an id equal to a saved
    array's owner's id is that same owner."""
    noted: list[tuple] = []
    for position, value in enumerate(inputs):
        counter = getattr(value, "_version_counter", None)
        if counter is not None:
            array = value.array
            noted.append((counter, counter.value, id(memory_owner(array)), position,
                          array.dtype, array.shape))
    counter = output._version_counter
    array = output.array
    noted.append((counter, counter.value, id(memory_owner(array)), None, array.dtype,
                  array.shape))
    return noted


def check_saved(noted, saved_arrays, node) -> None:
    """Raise PyTorch's error if a noted tensor whose memory ``node`` saved for backward has
    been changed in place since forward."""
    for counter, version, memory, position, dtype, shape in noted:
        if counter.value == version:
            continue
        saved = {id(memory_owner(a)) for a in saved_arrays if hasattr(a, "base")}
        if memory not in saved:
            continue  # changed, but backward does not read it
        role = "output 0" if position is None else f"input {position}"
        raise RuntimeError(
            "one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: [{dtype} tensor of shape {list(shape)}], which is {role} "
            f"of {node.name()}, is at version {counter.value}; expected version {version} "
            "instead. Hint: compute the new value out of place (y = x + 1 instead of "
            "x += 1), or change it only after backward")
