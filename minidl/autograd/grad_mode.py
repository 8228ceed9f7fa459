"""Switching graph recording off and on (``no_grad``, ``enable_grad``)."""
from __future__ import annotations

import functools

_enabled = True


def is_grad_enabled() -> bool:
    return _enabled


class _GradMode:
    """Context manager and decorator that sets gradient recording to ``self.mode``."""

    mode = True

    def __enter__(self):
        global _enabled
        self._previous = _enabled
        _enabled = self.mode

    def __exit__(self, *exc):
        global _enabled
        _enabled = self._previous
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with type(self)():
                return func(*args, **kwargs)
        return wrapper


class no_grad(_GradMode):
    """Operations inside record no graph: ``with minidl.no_grad(): ...``."""

    mode = False


class enable_grad(_GradMode):
    """Turn recording back on inside a ``no_grad`` block."""

    mode = True


class set_grad_enabled(_GradMode):
    """``with set_grad_enabled(training): ...``"""

    def __init__(self, mode: bool):
        self.mode = bool(mode)
