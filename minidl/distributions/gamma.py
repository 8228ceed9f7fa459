"""``Gamma(concentration, rate)``: α > 0, β > 0, on x > 0.

    p(x) = βᵅ xᵅ⁻¹ e^(-βx) / Γ(α)
    ln p(x) = α ln β + (α - 1) ln x - βx - ln Γ(α)
    H = α - ln β + ln Γ(α) + (1 - α) ψ(α)
    mean = α / β,   variance = α / β²,   mode = max(α - 1, 0) / β

Samples come from NumPy's gamma sampler (x = standard_gamma(α) / β, no gradient:
minidl has no implicit reparameterisation, so no ``rsample``).
"""
from __future__ import annotations

from ..ops.gamma_functions import digamma, lgamma
from ..size import Size
from ..tensor import Tensor
from ..type_info import finfo
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, draw


class Gamma(Distribution):
    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative

    def __init__(self, concentration, rate, validate_args=None):
        self.concentration, self.rate = broadcast_all(concentration, rate)
        super().__init__(self.concentration.shape, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.rate

    @property
    def mode(self) -> Tensor:
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self) -> Tensor:
        return self.concentration / self.rate ** 2

    def sample(self, sample_shape=Size()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        alpha = self.concentration.detach().expand(shape).cpu().numpy()
        x = draw(shape, self.concentration, lambda g, _: g.standard_gamma(alpha))
        return (x / self.rate.detach()).clamp(min=finfo(x.dtype).tiny)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        alpha, beta = self.concentration, self.rate
        return (alpha * beta.log() + (alpha - 1) * value.log() - beta * value
                - lgamma(alpha))

    def entropy(self) -> Tensor:
        alpha = self.concentration
        return alpha - self.rate.log() + lgamma(alpha) + (1 - alpha) * digamma(alpha)
