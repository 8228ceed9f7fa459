"""Cholesky factors and lower-triangular solves (``linear_solve.Solve`` with its gradient
kept to the lower triangle), differentiable (``minidl.linalg`` and the
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
from .linear_solve import Solve, matrix_transpose


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
        p = xp.tril(matrix_transpose(lower) @ grad)
        p = p - 0.5 * xp.eye(lower.shape[-1], dtype=lower.dtype) * p
        # L⁻ᵀ P L⁻¹ = (L⁻ᵀ (L⁻ᵀ Pᵀ)ᵀ)
        upper = matrix_transpose(lower)
        inner = matrix_transpose(xp.linalg.solve(upper, matrix_transpose(p)))
        grad_a = xp.linalg.solve(upper, inner)
        return (grad_a + matrix_transpose(grad_a)) / 2


def solve_lower(lower: Tensor, rhs: Tensor) -> Tensor:
    """Y = L⁻¹ B, the gradient of L kept to its lower triangle (``linear_solve.Solve``)."""
    return Solve.apply(lower, rhs, mask="lower")


def cholesky(a: Tensor) -> Tensor:
    return Cholesky.apply(a)
