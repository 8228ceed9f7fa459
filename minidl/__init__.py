"""minidl: a deep learning engine written from scratch on NumPy.

    import minidl
    import minidl.nn as nn, minidl.nn.functional as F, minidl.optim as optim

The public names follow PyTorch: ``minidl.tensor``, ``minidl.zeros``, ``Tensor.backward``,
``nn.Module``, ``optim.SGD`` ... so what you learn here transfers back.
"""
import os as _os

# NumPy's BLAS threads and Numba's workers share the cores; idle BLAS/OpenMP threads that
# keep spinning slow the other pool down (measured: 467 vs 858 images/s in training).
# Let them sleep unless the user chose otherwise (effective when minidl imports NumPy first).
_os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
from numpy import bool_ as bool  # noqa: A001  (dtype names, as torch.float32 ...)
from numpy import float16, float32, float64, int32, int64, uint8

from .autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .creation import (
    arange,
    cat,
    empty,
    eye,
    from_numpy,
    full,
    linspace,
    ones,
    ones_like,
    rand,
    randint,
    randn,
    randperm,
    stack,
    tensor,
    where,
    zeros,
    zeros_like,
)
from .gradcheck import GradcheckError, gradcheck
from .random import get_rng_state, manual_seed, set_rng_state
from .serialization import load, save
from .tensor import Tensor

# isort: split
from . import nn, optim  # after Tensor: they build on it

__version__ = "0.1.0"


def __getattr__(name: str):
    """``minidl.onnx`` is imported on first use (it imports the onnx package)."""
    if name == "onnx":
        import importlib
        return importlib.import_module(".onnx", __name__)
    raise AttributeError(f"module 'minidl' has no attribute {name!r}")

__all__ = [
    "Tensor", "tensor", "from_numpy", "zeros", "ones", "empty", "full", "zeros_like",
    "ones_like", "randn", "rand", "randint", "randperm", "arange", "linspace", "eye", "cat",
    "stack", "where", "manual_seed", "get_rng_state", "set_rng_state", "no_grad",
    "enable_grad", "set_grad_enabled", "is_grad_enabled", "float16", "float32", "float64",
    "int32", "int64", "uint8", "bool", "gradcheck", "GradcheckError", "nn", "optim", "save",
    "load",
]
