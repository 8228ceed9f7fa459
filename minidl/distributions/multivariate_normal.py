"""``MultivariateNormal(loc, covariance_matrix=Σ)`` or ``(loc, scale_tril=L)``, Σ = L Lᵀ
(L lower-triangular with a positive diagonal, diagonal or full), on vectors of length n.

    ln p(x) = -½ (n ln 2π + ‖L⁻¹(x - μ)‖²) - Σᵢ ln Lᵢᵢ
    H = ½ n (1 + ln 2π) + Σᵢ ln Lᵢᵢ
    mean = mode = μ,   variance = diag Σ = Σⱼ L²ᵢⱼ

``rsample`` is x = μ + L ε with ε ~ N(0, I), differentiable in μ and L (and Σ, through
the Cholesky factor).  ``precision_matrix=`` is not supported.
"""
from __future__ import annotations

import math

from ..ops.triangular import cholesky, solve_lower
from ..size import Size
from ..tensor import Tensor
from ..tensor_functions import broadcast_shapes
from . import constraints
from .distribution import Distribution
from .utils import draw, matrix_diagonal


class MultivariateNormal(Distribution):
    arg_constraints = {"loc": constraints.real_vector,
                       "covariance_matrix": constraints.dependent,
                       "scale_tril": constraints.lower_cholesky}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None,
                 validate_args=None):
        if precision_matrix is not None:
            raise NotImplementedError("MultivariateNormal: minidl supports covariance_matrix "
                                      "or scale_tril, not precision_matrix")
        if (covariance_matrix is None) == (scale_tril is None):
            raise ValueError("Exactly one of covariance_matrix or precision_matrix or "
                             "scale_tril may be specified.")
        matrix = scale_tril if covariance_matrix is None else covariance_matrix
        name = "scale_tril" if covariance_matrix is None else "covariance_matrix"
        if not isinstance(loc, Tensor) or loc.ndim < 1:
            raise ValueError("loc must be at least one-dimensional.")
        if not isinstance(matrix, Tensor) or matrix.ndim < 2:
            raise ValueError(f"{name} matrix must be at least two-dimensional, with "
                             "optional leading batch dimensions")
        if matrix.shape[-1] != matrix.shape[-2] or matrix.shape[-1] != loc.shape[-1]:
            raise ValueError(f"{name} must be square (n, n) with n = loc.shape[-1]: got "
                             f"{name} {tuple(matrix.shape)}, loc {tuple(loc.shape)}")
        n = loc.shape[-1]
        batch_shape = Size(broadcast_shapes(matrix.shape[:-2], loc.shape[:-1]))
        self.loc = loc.expand(batch_shape + (n,))
        self._given_name = name
        self._matrix = matrix.expand(batch_shape + (n, n))
        self.scale_tril = self._matrix if name == "scale_tril" else cholesky(self._matrix)
        super().__init__(batch_shape, (n,), validate_args=validate_args)

    def _given(self) -> dict[str, Tensor]:
        return {"loc": self.loc, self._given_name: self._matrix}

    @property
    def covariance_matrix(self) -> Tensor:
        return self.scale_tril @ self.scale_tril.transpose(-1, -2)

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        return (self.scale_tril ** 2).sum(-1)

    def _half_log_det(self) -> Tensor:
        """½ ln det Σ = Σᵢ ln Lᵢᵢ."""
        return matrix_diagonal(self.scale_tril).log().sum(-1)

    def rsample(self, sample_shape=Size()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        eps = draw(shape, self.loc, lambda g, s: g.standard_normal(s))
        return self.loc + (self.scale_tril @ eps.unsqueeze(-1)).squeeze(-1)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        n = self._event_shape[0]
        diff = value - self.loc
        lower = self.scale_tril.expand(diff.shape + (n,))
        mahalanobis = (solve_lower(lower, diff.unsqueeze(-1)).squeeze(-1) ** 2).sum(-1)
        return -0.5 * (n * math.log(2 * math.pi) + mahalanobis) - self._half_log_det()

    def entropy(self) -> Tensor:
        n = self._event_shape[0]
        return 0.5 * n * (1 + math.log(2 * math.pi)) + self._half_log_det()
