"""Hooks: functions a Module calls around its forward pass, with handles to remove them.

    handle = layer.register_forward_hook(lambda module, args, output: print(output.shape))
    model(x)          # prints the layer's output shape
    handle.remove()   # or: with layer.register_forward_hook(...): ...

PyTorch's rules: a forward pre-hook ``hook(module, args)`` runs before ``forward`` and
may return new positional arguments (a tuple, or one value); a forward hook
``hook(module, args, output)`` runs after it and may return a new output. Hooks run in
the order they were registered.
"""
from __future__ import annotations

import itertools
from collections import OrderedDict

_next_id = itertools.count()


class RemovableHandle:
    """Removes its hook from the table it was added to; also a context manager."""

    def __init__(self, table: OrderedDict, hook):
        self.id = next(_next_id)
        self._table = table
        table[self.id] = hook

    def remove(self) -> None:
        self._table.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc_info) -> None:
        self.remove()


def run_forward_pre_hooks(module, args: tuple) -> tuple:
    for hook in tuple(module._forward_pre_hooks.values()):
        result = hook(module, args)
        if result is not None:
            args = result if isinstance(result, tuple) else (result,)
    return args


def run_forward_hooks(module, args: tuple, output):
    for hook in tuple(module._forward_hooks.values()):
        result = hook(module, args, output)
        if result is not None:
            output = result
    return output
