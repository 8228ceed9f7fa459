"""Raw-array kernels (no autograd) in three implementations of one contract.

``reference`` is plain NumPy written to be read; ``cpu`` is Numba + BLAS; ``cuda`` is CuPy.
``kernel(name, array)`` returns the implementation that fits ``array`` (NumPy -> cpu,
CuPy -> cuda), unless ``use_backend("reference")`` (or ``MINIDL_KERNELS=reference``)
forces one for teaching and debugging.
"""
from .registry import kernel, use_backend

__all__ = ["kernel", "use_backend"]
