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
