"""``torch.accelerator``: the one accelerator minidl can use, an NVIDIA GPU through CuPy."""
from __future__ import annotations

from . import cuda
from .backend import cupy_module, device


def is_available() -> bool:
    return cuda.is_available()


def current_accelerator(check_available: bool = False):
    """``device("cuda")`` when minidl has its GPU backend (CuPy is installed), else ``None``;
    with ``check_available=True``, only when a GPU can be used right now (PyTorch's rule)."""
    if cupy_module() is None or check_available and not cuda.is_available():
        return None
    return device("cuda")


def device_count() -> int:
    return cuda.device_count()


def current_device_index() -> int:
    return cuda.current_device()


def set_device_index(index) -> None:
    cuda.set_device(index)


def synchronize(device=None) -> None:
    cuda.synchronize()
