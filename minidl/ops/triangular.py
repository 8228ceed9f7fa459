"""Cholesky factors and lower-triangular solves, differentiable (``minidl.linalg`` and the
MultivariateNormal distribution use them).  Both work on batches (..., n, n) of the same
batch shape as their right-hand side.

* ``solve_lower(L, B)``: Y = L⁻¹ B for lower-triangular L;
      dB = L⁻ᵀ dY,   dL = -tril(dB Yᵀ).
* ``cholesky(A)``: the lower L with L Lᵀ = A, for symmetric positive-definite A;
      with Φ(X) = tril(X) with its diagonal halved and P = Φ(Lᵀ dL):
      dA = sym(L⁻ᵀ P L⁻¹),  sym(X) = (X + Xᵀ) / 2.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..backend import array_module
from ..tensor import Tensor


def _transpose(x):
    return x.swapaxes(-1, -2)


def _solve(a, b):
    return array_module(a).linalg.solve(a, b)


class SolveLower(Function):
    """Y = L⁻¹ B."""

    def forward(self, lower, rhs):
        y = _solve(lower, rhs)
        self.save_for_backward(lower, y)
        return y

    def backward(self, grad):
        lower, y = self.saved_arrays
        xp = array_module(lower)
        grad_rhs = _solve(_transpose(lower), grad)
        grad_lower = -xp.tril(grad_rhs @ _transpose(y)) if self.needs_input_grad[0] else None
        return grad_lower, grad_rhs


class Cholesky(Function):
    """L with L Lᵀ = A."""

    def forward(self, a):
        xp = array_module(a)
        try:
            lower = xp.linalg.cholesky(a)
        except np.linalg.LinAlgError:
            raise ValueError("cholesky: the matrix is not positive-definite") from None
        self.save_for_backward(lower)
        return lower

    def backward(self, grad):
        (lower,) = self.saved_arrays
        xp = array_module(lower)
        p = xp.tril(_transpose(lower) @ grad)
        p = p - 0.5 * xp.eye(lower.shape[-1], dtype=lower.dtype) * p
        # L⁻ᵀ P L⁻¹ = (L⁻ᵀ (L⁻ᵀ Pᵀ)ᵀ)
        inner = _transpose(_solve(_transpose(lower), _transpose(p)))
        grad_a = _solve(_transpose(lower), inner)
        return (grad_a + _transpose(grad_a)) / 2


def solve_lower(lower: Tensor, rhs: Tensor) -> Tensor:
    return SolveLower.apply(lower, rhs)


def cholesky(a: Tensor) -> Tensor:
    return Cholesky.apply(a)
