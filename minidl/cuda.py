"""``torch.cuda``: is a GPU there for minidl, and the few controls PyTorch programs call.

minidl runs on one NVIDIA GPU through CuPy (``pip install 'minidl[cuda]'``).  ``is_available()``
is True exactly when that works here: CuPy imports and the CUDA driver reports a device.
"""
from __future__ import annotations

from .backend import cupy_module, module_for_device


def is_available() -> bool:
    """Whether tensors can live on "cuda" (CuPy installed, a GPU and its driver present)."""
    try:
        module_for_device("cuda")
    except RuntimeError:
        return False
    return True


def device_count() -> int:
    """1 when a GPU is available (minidl uses one), else 0."""
    return 1 if is_available() else 0


def current_device() -> int:
    _require("current_device")
    return 0


def set_device(device) -> None:
    """Only device 0 (minidl uses one GPU)."""
    _require("set_device")
    index = getattr(device, "index", device)
    if index not in (None, 0, "cuda", "cuda:0"):
        raise ValueError(f"set_device: minidl uses one GPU, device 0; got {device!r}")


def get_device_name(device=None) -> str:
    _require("get_device_name")
    properties = cupy_module().cuda.runtime.getDeviceProperties(0)
    name = properties["name"]
    return name.decode() if isinstance(name, bytes) else str(name)


def synchronize(device=None) -> None:
    """Wait until the GPU has finished the work queued so far."""
    _require("synchronize")
    cupy_module().cuda.Device(0).synchronize()


def manual_seed(seed: int) -> None:
    """Nothing to do: minidl draws every random number on the CPU, from the generator that
    ``minidl.manual_seed`` seeds, and moves it to the GPU."""


manual_seed_all = manual_seed


def _require(what: str) -> None:
    if not is_available():
        module_for_device("cuda")  # raises the error that says why
