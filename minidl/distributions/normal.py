"""``Normal(loc, scale)``: the Gaussian N(μ, σ²).

    p(x) = exp(-(x - μ)² / (2σ²)) / (σ √(2π))
    ln p(x) = -(x - μ)² / (2σ²) - ln σ - ½ ln 2π
    H = ½ + ½ ln 2π + ln σ,   mean = mode = μ,   variance = σ²

``rsample`` is x = μ + σ ε with ε ~ N(0, 1), differentiable in μ and σ.
"""
from __future__ import annotations

import math

from ..size import Size
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, draw


class Normal(Distribution):
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
        return self.scale

    @property
    def variance(self) -> Tensor:
        return self.scale ** 2

    def rsample(self, sample_shape=Size()) -> Tensor:
        eps = draw(self._extended_shape(sample_shape), self.loc,
                   lambda g, shape: g.standard_normal(shape))
        return self.loc + self.scale * eps

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return (-((value - self.loc) ** 2) / (2 * self.variance) - self.scale.log()
                - math.log(math.sqrt(2 * math.pi)))

    def cdf(self, value: Tensor) -> Tensor:
        return 0.5 * (1 + ((value - self.loc) / (self.scale * math.sqrt(2))).erf())

    def entropy(self) -> Tensor:
        return 0.5 + 0.5 * math.log(2 * math.pi) + self.scale.log()
