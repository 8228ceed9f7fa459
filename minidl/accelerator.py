"""``torch.accelerator``: the one accelerator minidl can use, an NVIDIA GPU through CuPy."""
from __future__ import annotations

from . import cuda
from .backend import device


def is_available() -> bool:
    return cuda.is_available()


def current_accelerator(check_available: bool = False):
    """``device("cuda")`` when a GPU is available, else ``None`` (PyTorch's answer)."""
    return device("cuda") if cuda.is_available() else None


def device_count() -> int:
    return cuda.device_count()


def current_device_index() -> int:
    return cuda.current_device()


def set_device_index(index) -> None:
    cuda.set_device(index)


def synchronize(device=None) -> None:
    cuda.synchronize()
