"""``Uniform(low, high)``: the uniform distribution on [a, b).

    p(x) = 1 / (b - a) on [a, b),   ln p(x) = -ln(b - a)
    H = ln(b - a),   mean = (a + b) / 2,   variance = (b - a)² / 12

``rsample`` is x = a + (b - a) u with u ~ U[0, 1), differentiable in a and b.
"""
from __future__ import annotations

from ..size import Size
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, draw


class Uniform(Distribution):
    arg_constraints = {"low": constraints.dependent, "high": constraints.dependent}
    has_rsample = True

    def __init__(self, low, high, validate_args=None):
        self.low, self.high = broadcast_all(low, high)
        super().__init__(self.low.shape, validate_args=validate_args)
        if self._validate_args and not bool((self.low < self.high).all()):
            raise ValueError(f"Expected parameter low ({tuple(self.low.shape)}) of "
                             f"distribution {self!r} to be less than high, but found "
                             f"low:\n{self.low}\nhigh:\n{self.high}")

    @property
    def support(self) -> constraints.Constraint:  # type: ignore[override]
        return constraints.half_open_interval(self.low, self.high)

    @property
    def mean(self) -> Tensor:
        return (self.high + self.low) / 2

    @property
    def mode(self) -> Tensor:
        return self.low * float("nan")  # every point of [a, b) is a mode

    @property
    def variance(self) -> Tensor:
        return (self.high - self.low) ** 2 / 12

    def rsample(self, sample_shape=Size()) -> Tensor:
        u = draw(self._extended_shape(sample_shape), self.low, lambda g, shape: g.random(shape))
        return self.low + (self.high - self.low) * u

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        inside = ((value >= self.low) & (value < self.high)).to(self.low.dtype)
        return inside.log() - (self.high - self.low).log()

    def cdf(self, value: Tensor) -> Tensor:
        return ((value - self.low) / (self.high - self.low)).clamp(min=0, max=1)

    def entropy(self) -> Tensor:
        return (self.high - self.low).log()
