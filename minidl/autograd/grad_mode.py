"""Switching graph recording off and on (``no_grad``, ``enable_grad``, ``set_grad_enabled``,
``inference_mode``)."""
from __future__ import annotations

import functools
import inspect

_enabled = True
_inference = False


def is_grad_enabled() -> bool:
    return _enabled


def is_inference_mode_enabled() -> bool:
    """Whether an ``inference_mode()`` block (or decorated function) is running."""
    return _inference


def _set_enabled(mode: bool) -> bool:
    """Set recording to ``mode``; returns what it was."""
    global _enabled
    previous, _enabled = _enabled, mode
    return previous


class _GradMode:
    """Context manager and decorator that sets gradient recording to ``self.mode``."""

    mode = True

    def _switch(self):
        """Set this mode; returns what ``_restore`` needs to set the previous one back."""
        return _set_enabled(self.mode)

    def _restore(self, previous) -> None:
        _set_enabled(previous)

    def __enter__(self):
        self._previous = self._switch()

    def __exit__(self, *exc):
        self._restore(self._previous)
        return False

    def __call__(self, func):
        """Decorate ``func``: its calls run in this mode; for a generator function, each
        step of the generator does (between steps the caller's mode holds), as PyTorch's."""
        if inspect.isgeneratorfunction(func):
            return self._generator_wrapper(func)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            previous = self._switch()
            try:
                return func(*args, **kwargs)
            finally:
                self._restore(previous)
        return wrapper

    def _generator_wrapper(self, func):
        @functools.wraps(func)
        def generator(*args, **kwargs):
            steps = func(*args, **kwargs)
            sent = None
            while True:
                previous = self._switch()
                try:
                    item = steps.send(sent)
                except StopIteration as end:
                    return end.value
                finally:
                    self._restore(previous)
                sent = yield item
        return generator


class _BareDecorator(_GradMode):
    """A mode usable as ``@mode`` as well as ``@mode()`` (PyTorch's no_grad and
    enable_grad)."""

    def __new__(cls, func=None):
        if callable(func):  # ``@no_grad`` without parentheses
            return cls()(func)
        return super().__new__(cls)

    def __init__(self, func=None):
        pass


class no_grad(_BareDecorator):
    """Operations inside record no graph: ``with minidl.no_grad(): ...``."""

    mode = False


class enable_grad(_BareDecorator):
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


class inference_mode(_GradMode):
    """PyTorch's ``inference_mode``: ``inference_mode()`` (or ``mode=True``) records no graph,
    like ``no_grad``, and ``is_inference_mode_enabled()`` answers True inside;
    ``inference_mode(False)`` turns recording back on (PyTorch's rule: grad mode is
    ``not mode``).  A context manager, or a decorator with or without the parentheses.

    PyTorch also marks the tensors made inside as "inference tensors" that autograd later
    refuses; minidl does not: they are ordinary tensors that require no grad."""

    def __new__(cls, mode=True):
        if callable(mode):  # ``@inference_mode`` without parentheses
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode: bool = True):
        self.inference = bool(mode)
        self.mode = not self.inference

    def _switch(self):
        global _inference
        previous, _inference = _inference, self.inference
        return previous, _set_enabled(self.mode)

    def _restore(self, previous) -> None:
        global _inference
        _inference, enabled = previous
        _set_enabled(enabled)
