"""Which implementation of a kernel runs: picked from the array's module, or forced.

Each backend is a module exposing the kernel functions under the same names (for example
``conv2d_forward``).  Backends are imported on first use, so ``import minidl`` does not pay
for Numba or CuPy.
"""
from __future__ import annotations

import contextlib
import importlib
import os

from ..backend import device_of

BACKENDS = {
    "reference": "minidl.kernels.reference",
    "cpu": "minidl.kernels.cpu",
    "cuda": "minidl.kernels.cuda",
}

_forced: str | None = os.environ.get("MINIDL_KERNELS") or None


def _check_backend(name: str) -> str:
    if name not in BACKENDS:
        raise ValueError(f"kernel backend must be one of {list(BACKENDS)}, got {name!r}")
    return name


@contextlib.contextmanager
def use_backend(name: str | None):
    """Force every kernel inside the block to run on backend ``name`` (``None``: automatic).

    ``reference`` runs on NumPy arrays only: forcing it for CuPy arrays is an error.
    """
    global _forced
    previous = _forced
    _forced = None if name is None else _check_backend(name)
    try:
        yield
    finally:
        _forced = previous


def backend_for(array) -> str:
    """The backend that will run a kernel on ``array``."""
    device = device_of(array)
    if _forced is None:
        return device
    if device == "cuda" and _forced != "cuda":
        raise RuntimeError(f"kernel backend {_forced!r} runs on the CPU, but the array is "
                           "on cuda")
    if device == "cpu" and _forced == "cuda":
        raise RuntimeError("kernel backend 'cuda' needs CuPy arrays, but the array is on cpu")
    return _forced


_modules: dict = {}  # backend name -> its module, once imported


def kernel(name: str, array):
    """The function ``name`` of the backend that fits ``array``."""
    backend = backend_for(array)
    module = _modules.get(backend)
    if module is None:
        module = _modules[backend] = importlib.import_module(
            BACKENDS[_check_backend(backend)])
    try:
        return getattr(module, name)
    except AttributeError:
        raise NotImplementedError(f"kernel {name!r} has no {backend!r} implementation") from None
