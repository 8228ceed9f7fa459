"""Hooks that the autograd engine calls during a backward pass.

``tensor.register_post_accumulate_grad_hook(hook)`` (PyTorch's name) asks for
``hook(tensor)`` once per backward pass, as soon as that pass has finished adding its
gradient into the leaf's ``.grad`` — after the last contribution when the leaf is used
several times. Data-parallel training uses it to start averaging a bucket of gradients
while the rest of the backward pass still runs.

``queue_callback(fn)`` (called during a backward pass, typically from such a hook) asks for
``fn()`` once the pass is over, before ``backward()`` returns.
"""
from __future__ import annotations

import threading

HOOKS_ATTRIBUTE = "_post_accumulate_grad_hooks"

_local = threading.local()


class RemovableHandle:
    """Returned by hook registrations; ``handle.remove()`` unregisters the hook."""

    def __init__(self, hooks: dict, key: int):
        self._hooks, self._key = hooks, key

    def remove(self) -> None:
        self._hooks.pop(self._key, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc_info) -> None:
        self.remove()


def post_accumulate_hooks(tensor) -> dict | None:
    """The hooks registered on ``tensor`` ({key: hook}), or None."""
    return getattr(tensor, HOOKS_ATTRIBUTE, None)


def add_post_accumulate_hook(tensor, hook) -> RemovableHandle:
    hooks = post_accumulate_hooks(tensor)
    if hooks is None:
        hooks = {}
        setattr(tensor, HOOKS_ATTRIBUTE, hooks)
    key = max(hooks, default=-1) + 1
    hooks[key] = hook
    return RemovableHandle(hooks, key)


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
