"""``Exponential(rate)``: λ > 0, on x ≥ 0.

    p(x) = λ e^(-λx),   ln p(x) = ln λ - λx,   H = 1 - ln λ
    mean = 1/λ,   variance = 1/λ²,   mode = 0

``rsample`` is x = -ln(1 - u) / λ with u ~ U[0, 1), differentiable in λ.
"""
from __future__ import annotations

from ..size import Size
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, draw


class Exponential(Distribution):
    arg_constraints = {"rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate)
        super().__init__(self.rate.shape, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.rate.reciprocal()

    @property
    def mode(self) -> Tensor:
        return self.rate * 0

    @property
    def stddev(self) -> Tensor:
        return self.rate.reciprocal()

    @property
    def variance(self) -> Tensor:
        return self.rate ** -2

    def rsample(self, sample_shape=Size()) -> Tensor:
        u = draw(self._extended_shape(sample_shape), self.rate, lambda g, shape: g.random(shape))
        return -(-u).log1p() / self.rate

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return self.rate.log() - self.rate * value

    def cdf(self, value: Tensor) -> Tensor:
        return 1 - (-self.rate * value).exp()

    def entropy(self) -> Tensor:
        return 1 - self.rate.log()
