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


_NUMPY_TYPES = (np.ndarray, np.generic)


def array_module(array):
    """``numpy`` for a NumPy array (or scalar), ``cupy`` for a CuPy array."""
    if type(array) is np.ndarray or isinstance(array, _NUMPY_TYPES):
        return np
    cp = cupy_module()
    if cp is not None and isinstance(array, cp.ndarray):
        return cp
    return np


class device(str):  # noqa: N801  (PyTorch's name)
    """``torch.device``: a device type, ``"cpu"`` or ``"cuda"``, and an optional index.

    It is a ``str`` (``device("cuda:0") == "cuda:0"``), so it goes wherever a device name
    does.  ``device("cuda", 0)`` and ``device("cuda:0")`` are the same device; minidl uses one
    GPU, so the index can only be 0.
    """

    _type: str
    _index: int | None

    def __new__(cls, type, index=None):  # noqa: A002  (PyTorch's argument name)
        if isinstance(type, device) and index is None:
            return type
        if not isinstance(type, str):
            raise TypeError(f"device(): expected a string like 'cpu' or 'cuda:0', got "
                            f"{type!r}")
        kind, colon, number = type.partition(":")
        if kind not in ("cpu", "cuda"):
            raise ValueError(f"device must be 'cpu' or 'cuda', got {type!r}")
        if colon:
            if index is not None or not number.isdigit():
                raise ValueError(f"device(): invalid device {type!r} (index {index!r})")
            index = int(number)
        if index not in (None, 0):
            raise ValueError(f"device(): minidl has one {kind} device, index 0; got {index}")
        name = kind if index is None else f"{kind}:{index}"
        made = super().__new__(cls, name)
        made._type, made._index = kind, index
        return made

    @property
    def type(self) -> str:
        return self._type

    @property
    def index(self) -> int | None:  # type: ignore[override]  # PyTorch's attribute
        return self._index

    def __repr__(self) -> str:
        if self._index is None:
            return f"device(type='{self._type}')"
        return f"device(type='{self._type}', index={self._index})"

    __hash__ = str.__hash__


CPU, CUDA = device("cpu"), device("cuda")


def device_of(array) -> device:
    """The device of a raw array: ``device("cpu")`` or ``device("cuda")``."""
    return CPU if array_module(array) is np else CUDA


def array_device(value) -> str | None:
    """``"cpu"`` for a NumPy array, ``"cuda"`` for a CuPy array, ``None`` for anything
    else (numbers, NumPy scalars, None): the values whose device an operation must match."""
    if isinstance(value, np.ndarray):
        return "cpu"
    cp = cupy_module()
    if cp is not None and isinstance(value, cp.ndarray):
        return "cuda"
    return None


def normalize_device(where) -> device:
    """Accept ``"cpu"``, ``"cuda"``, ``"cuda:0"``, a ``device`` or ``None`` (the CPU) and
    return ``device("cpu")`` or ``device("cuda")``."""
    if where is None:
        return CPU
    if not isinstance(where, str):
        raise ValueError(f"device must be 'cpu' or 'cuda', got {where!r}")
    return CPU if device(where).type == "cpu" else CUDA


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
