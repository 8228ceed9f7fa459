"""``Laplace(loc, scale)``: μ, b > 0.

    p(x) = e^(-|x - μ| / b) / (2b),   ln p(x) = -ln 2b - |x - μ| / b,   H = 1 + ln 2b
    mean = mode = μ,   variance = 2b²

``rsample`` is x = μ - b sign(u) ln(1 - |u|) with u ~ U(-1, 1), differentiable in μ, b.
"""
from __future__ import annotations

import math

from ..size import Size
from ..tensor import Tensor
from ..type_info import finfo
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, draw


class Laplace(Distribution):
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(self.loc.shape, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def stddev(self) -> Tensor:
        return math.sqrt(2) * self.scale

    @property
    def variance(self) -> Tensor:
        return 2 * self.scale ** 2

    def rsample(self, sample_shape=Size()) -> Tensor:
        low = finfo(self.loc.dtype).eps - 1  # u > -1: ln(1 - |u|) stays finite
        u = draw(self._extended_shape(sample_shape), self.loc,
                 lambda g, shape: g.uniform(low, 1, shape))
        return self.loc - self.scale * u.sign() * (-u.abs()).log1p()

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return -(2 * self.scale).log() - (value - self.loc).abs() / self.scale

    def cdf(self, value: Tensor) -> Tensor:
        z = (value - self.loc) / self.scale
        return 0.5 - 0.5 * z.sign() * (-z.abs()).expm1()

    def entropy(self) -> Tensor:
        return 1 + (2 * self.scale).log()
