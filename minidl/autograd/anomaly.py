"""Anomaly detection for backward (``torch.autograd.detect_anomaly``,
``set_detect_anomaly``), as PyTorch programs switch it on when debugging.

    with minidl.autograd.detect_anomaly():
        loss.backward()     # RuntimeError: Function 'DivBackward0' returned nan values
                            # in its 1th output.

While it is on (and ``check_nan``), every node recorded from then on checks the gradients
its backward returns and raises PyTorch's error at the first NaN, after a warning that
shows where the node's forward operation was called (PyTorch's "Error detected in ...",
with the stack of the forward call).  Nodes recorded while it was off, the nodes of
PyTorch-style ``autograd.Function`` subclasses and the differentiable walk of
``create_graph=True`` are not checked: there only the mode is recorded.
"""
from __future__ import annotations

import functools
import traceback
import warnings

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled", "set_anomaly_enabled"]

_enabled = False
_check_nan = True


def is_anomaly_enabled() -> bool:
    return _enabled


def is_anomaly_check_nan_enabled() -> bool:
    return _check_nan


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    """``torch.set_anomaly_enabled``: switch anomaly detection on or off."""
    _set(enabled, check_nan)


def _has_nan(array) -> bool:
    kind = getattr(getattr(array, "dtype", None), "kind", None)
    if kind not in ("f", "c"):
        return False
    return bool((array != array).any())


def _checked_backward(fn, backward, stack):
    @functools.wraps(backward)
    def checked(grad):
        grads = backward(grad)
        for i, g in enumerate(grads if isinstance(grads, tuple) else (grads,)):
            if g is not None and _has_nan(getattr(g, "array", g)):
                warnings.warn(f"Error detected in {fn.name()}. Traceback of forward call "
                              f"that caused the error:\n{''.join(stack)}", stacklevel=2)
                raise RuntimeError(f"Function '{fn.name()}' returned nan values in its "
                                   f"{i}th output.")
        return grads
    return checked


def _observe(cls, inputs, options, result) -> None:
    """Told of every ``Function.apply`` while anomaly mode checks NaNs: wrap the backward
    of the node just recorded (in the instance, so other nodes are untouched)."""
    if not (_enabled and _check_nan):
        return
    for tensor in result if isinstance(result, tuple) else (result,):
        fn = getattr(tensor, "grad_fn", None)
        if fn is None or type(fn) is not cls or getattr(cls, "context_style", False):
            continue
        try:
            fn.backward = _checked_backward(fn, fn.backward, traceback.format_stack()[:-2])
        except AttributeError:  # a node class without an instance dictionary
            pass
        return


def _set(mode: bool, check_nan: bool) -> None:
    global _enabled, _check_nan
    from . import function

    _enabled, _check_nan = bool(mode), bool(check_nan)
    watching = _observe in function._observers
    if _enabled and not watching:
        function._observers.append(_observe)
    elif not _enabled and watching:
        function._observers.remove(_observe)


class detect_anomaly:
    """Context manager (and decorator) that turns anomaly detection on for its block."""

    def __init__(self, check_nan: bool = True) -> None:
        self.prev = is_anomaly_enabled()
        self.check_nan = check_nan
        self.prev_check_nan = is_anomaly_check_nan_enabled()
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the "
                      "runtime and should only be enabled for debugging.", stacklevel=2)

    def __enter__(self) -> None:
        self.prev, self.prev_check_nan = is_anomaly_enabled(), is_anomaly_check_nan_enabled()
        _set(True, self.check_nan)

    def __exit__(self, *args) -> None:
        _set(self.prev, self.prev_check_nan)

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__(self.check_nan):
                return func(*args, **kwargs)
        return wrapper


class set_detect_anomaly:
    """Turns anomaly detection on or off now (a plain call), or for a ``with`` block."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev, self.prev_check_nan = is_anomaly_enabled(), is_anomaly_check_nan_enabled()
        _set(mode, check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *args) -> None:
        _set(self.prev, self.prev_check_nan)
