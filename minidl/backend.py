"""Array-module dispatch: the one place that knows NumPy from CuPy.

Every function in minidl works on raw arrays through ``xp = array_module(a)``, so the
same code runs on NumPy ("cpu") and CuPy ("cuda") arrays without device if-chains.
"""
from __future__ import annotations

import numpy as np

_cupy = None
_cupy_checked = False


def cupy_module():
    """Return the ``cupy`` module, or ``None`` when it is not installed."""
    global _cupy, _cupy_checked
    if not _cupy_checked:
        _cupy_checked = True
        try:
            import cupy
            _cupy = cupy
        except ImportError:
            _cupy = None
    return _cupy


def array_module(array):
    """``numpy`` for a NumPy array (or scalar), ``cupy`` for a CuPy array."""
    if isinstance(array, np.ndarray | np.generic):
        return np
    cp = cupy_module()
    if cp is not None and isinstance(array, cp.ndarray):
        return cp
    return np


def device_of(array) -> str:
    """The device name of a raw array: ``"cpu"`` or ``"cuda"``."""
    return "cpu" if array_module(array) is np else "cuda"


def array_device(value) -> str | None:
    """``"cpu"`` for a NumPy array, ``"cuda"`` for a CuPy array, ``None`` for anything
    else (numbers, NumPy scalars, None): the values whose device an operation must match."""
    if isinstance(value, np.ndarray):
        return "cpu"
    cp = cupy_module()
    if cp is not None and isinstance(value, cp.ndarray):
        return "cuda"
    return None


def normalize_device(device) -> str:
    """Accept ``"cpu"``, ``"cuda"``, ``"cuda:0"`` or ``None`` and return ``"cpu"``/``"cuda"``."""
    if device is None:
        return "cpu"
    name = str(device)
    if name == "cpu":
        return "cpu"
    if name == "cuda" or name.startswith("cuda:"):
        return "cuda"
    raise ValueError(f"device must be 'cpu' or 'cuda', got {device!r}")


def module_for_device(device: str):
    """The array module that holds arrays of ``device``; a clear error if CUDA is missing."""
    device = normalize_device(device)
    if device == "cpu":
        return np
    cp = cupy_module()
    if cp is None:
        raise RuntimeError("device 'cuda' needs CuPy: pip install 'minidl[cuda]'")
    try:
        count = cp.cuda.runtime.getDeviceCount()
    except Exception as error:  # CUDA driver missing or broken
        raise RuntimeError(f"device 'cuda' is not available: {error}") from None
    if count == 0:
        raise RuntimeError("device 'cuda' is not available: no GPU found")
    return cp


def to_device(array, device: str):
    """Copy a raw array to ``device`` (no copy when it is already there)."""
    device = normalize_device(device)
    if device_of(array) == device:
        return array
    if device == "cpu":
        return array.get()
    return module_for_device("cuda").asarray(array)


def scatter_add(xp, target, index, values):
    """``target[index] += values`` with repeated indices accumulated (unbuffered)."""
    if xp is np:
        np.add.at(target, index, values)
    else:
        import cupyx
        cupyx.scatter_add(target, index, values)
