"""Hooks that the autograd engine calls during a backward pass.

``tensor.register_post_accumulate_grad_hook(hook)`` (PyTorch's name) asks for
``hook(tensor)`` once per backward pass, as soon as that pass has finished adding its
gradient into the leaf's ``.grad`` — after the last contribution when the leaf is used
several times. Data-parallel training uses it to start averaging a bucket of gradients
while the rest of the backward pass still runs.

``tensor.register_hook(hook)`` asks for ``hook(grad)`` whenever the gradient with respect
to ``tensor`` has been computed, before it is used: ``grad`` is a Tensor, and a hook that
returns one replaces the gradient (the same shape and dtype) for everything downstream
(PyTorch's rule). On a computed tensor the hooks live on the node that produced it and see
the sum of every path's gradient before that node's backward runs; on a leaf they see the
pass's summed gradient before it is added into ``.grad``.

``queue_callback(fn)`` (called during a backward pass, typically from such a hook) asks for
``fn()`` once the pass is over, before ``backward()`` returns.

Every hook registration (these, and a Module's forward hooks) returns a
:class:`RemovableHandle`.
"""
from __future__ import annotations

import itertools
import threading

HOOKS_ATTRIBUTE = "_post_accumulate_grad_hooks"
GRAD_HOOKS_ATTRIBUTE = "_grad_hooks"  # on a leaf Tensor, or on a computed tensor's node

_local = threading.local()
_next_id = itertools.count()


class RemovableHandle:
    """Adds ``hook`` to ``table`` (a dict kept in registration order) under a new id;
    ``handle.remove()`` takes it out again; also a context manager."""

    def __init__(self, table: dict, hook):
        self.id = next(_next_id)
        self._table = table
        table[self.id] = hook

    def remove(self) -> None:
        self._table.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc_info) -> None:
        self.remove()


def post_accumulate_hooks(tensor) -> dict | None:
    """The hooks registered on ``tensor`` ({key: hook}), or None."""
    return getattr(tensor, HOOKS_ATTRIBUTE, None)


def add_post_accumulate_hook(tensor, hook) -> RemovableHandle:
    return _add_hook(tensor, HOOKS_ATTRIBUTE, hook)


def grad_hooks(owner) -> dict | None:
    """The gradient hooks on a leaf tensor or a node ({key: hook}), or None."""
    return getattr(owner, GRAD_HOOKS_ATTRIBUTE, None)


def add_grad_hook(owner, hook) -> RemovableHandle:
    return _add_hook(owner, GRAD_HOOKS_ATTRIBUTE, hook)


def _add_hook(owner, attribute: str, hook) -> RemovableHandle:
    """``hook`` added to the table ``owner.<attribute>`` (created on first use)."""
    table = getattr(owner, attribute, None)
    if table is None:
        table = {}
        setattr(owner, attribute, table)
    return RemovableHandle(table, hook)


def run_grad_hooks(table: dict | None, grad):
    """``grad`` (a raw array) passed through each hook of ``table`` in registration order;
    a hook's returned Tensor replaces it."""
    from ..tensor import Tensor

    for hook in list((table or {}).values()):
        result = hook(Tensor._from_array(grad))
        if result is None:
            continue
        replacement = result.array if isinstance(result, Tensor) else result
        if getattr(replacement, "shape", None) != grad.shape:
            raise RuntimeError(f"gradient hook {getattr(hook, '__name__', hook)!r} returned "
                               f"{type(result).__name__} of shape "
                               f"{tuple(getattr(replacement, 'shape', ()))}, expected a Tensor "
                               f"of the gradient's shape {tuple(grad.shape)}")
        grad = replacement.astype(grad.dtype, copy=False)
    return grad


class CallbackQueue:
    """The callbacks of the backward pass running in this thread (a ``with`` block)."""

    def __enter__(self) -> list:
        self.previous = getattr(_local, "callbacks", None)
        self.callbacks = _local.callbacks = []
        return self.callbacks

    def __exit__(self, *exc_info) -> None:
        _local.callbacks = self.previous


def queue_callback(callback) -> None:
    """Run ``callback()`` when the backward pass now running has finished."""
    callbacks = getattr(_local, "callbacks", None)
    if callbacks is None:
        raise RuntimeError("queue_callback: no backward pass is running (call it from a "
                           "hook during backward)")
    callbacks.append(callback)
