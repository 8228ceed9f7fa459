"""The rectifier and its gradient with Numba: the contract of ``reference.activation``.

Forward: one pass split over the workers (NumPy's ``maximum`` runs on one thread).
Backward: one pass that reads y and dL/dy and writes dL/dx, where the reference makes two
(a boolean mask, then the product) and allocates the mask besides the result.  Arrays that
are not C-contiguous floats (or, backward, do not share a dtype) go to the reference.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from ..reference import activation as reference
from .workers import parallel_loop


@njit(nogil=True, cache=True, error_model="numpy")
def _relu_forward(x, y, start, stop):
    x, y = x[start:stop], y[start:stop]   # from 0: see _relu_backward
    for i in range(x.shape[0]):
        y[i] = 0 if x[i] <= 0 else x[i]     # NaN is not <= 0: it stays


@njit(nogil=True, cache=True, error_model="numpy")
def _relu_backward(y, grad, grad_x, start, stop):
    # the loop runs over slices from 0: LLVM vectorizes it only when it can see that no
    # index is negative (a loop from a run-time ``start`` ran 17x slower)
    y, grad, grad_x = y[start:stop], grad[start:stop], grad_x[start:stop]
    for i in range(y.shape[0]):
        grad_x[i] = grad[i] if y[i] > 0 else 0


def relu_forward(x: np.ndarray) -> np.ndarray:
    """y = max(x, 0), elementwise."""
    if x.dtype.kind != "f" or not x.flags.c_contiguous:
        return reference.relu_forward(x)
    y = np.empty_like(x)
    parallel_loop(_relu_forward, x.size, 2 * x.size, x.reshape(-1), y.reshape(-1))
    return y


def relu_backward(y: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """dL/dx from ReLU's output ``y`` and dL/dy ``grad`` (same shape)."""
    if (y.dtype.kind != "f" or grad.dtype != y.dtype or grad.shape != y.shape
            or not (y.flags.c_contiguous and grad.flags.c_contiguous)):
        return reference.relu_backward(y, grad)
    grad_x = np.empty_like(y)
    parallel_loop(_relu_backward, y.size, 3 * y.size, y.reshape(-1), grad.reshape(-1),
                  grad_x.reshape(-1))
    return grad_x
