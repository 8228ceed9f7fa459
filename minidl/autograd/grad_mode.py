"""Switching graph recording off and on (``no_grad``, ``enable_grad``, ``set_grad_enabled``)."""
from __future__ import annotations

import functools

_enabled = True


def is_grad_enabled() -> bool:
    return _enabled


def _set_enabled(mode: bool) -> bool:
    """Set recording to ``mode``; returns what it was."""
    global _enabled
    previous, _enabled = _enabled, mode
    return previous


class _GradMode:
    """Context manager and decorator that sets gradient recording to ``self.mode``."""

    mode = True

    def __enter__(self):
        self._previous = _set_enabled(self.mode)

    def __exit__(self, *exc):
        _set_enabled(self._previous)
        return False

    def __call__(self, func):
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            previous = _set_enabled(mode)
            try:
                return func(*args, **kwargs)
            finally:
                _set_enabled(previous)
        return wrapper


class no_grad(_GradMode):
    """Operations inside record no graph: ``with minidl.no_grad(): ...``."""

    mode = False


class enable_grad(_GradMode):
    """Turn recording back on inside a ``no_grad`` block."""

    mode = True


class set_grad_enabled(_GradMode):
    """Recording on or off, as PyTorch's: a plain call ``set_grad_enabled(False)`` switches
    it at once (until switched back), ``with set_grad_enabled(training): ...`` for a block,
    and ``@set_grad_enabled(False)`` for every call of a function."""

    def __init__(self, mode: bool):
        self.mode = bool(mode)
        self._previous = _set_enabled(self.mode)

    def __enter__(self):
        pass  # already switched by __init__; __exit__ switches back

    def __call__(self, func):
        _set_enabled(self._previous)  # as a decorator it only acts when func runs
        return super().__call__(func)
