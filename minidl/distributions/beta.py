"""``Beta(concentration1, concentration0)``: a > 0, b > 0, on x ∈ [0, 1].

    p(x) = xᵃ⁻¹ (1 - x)ᵇ⁻¹ / B(a, b),   ln B(a, b) = ln Γ(a) + ln Γ(b) - ln Γ(a + b)
    ln p(x) = (a - 1) ln x + (b - 1) ln(1 - x) - ln B(a, b)
    H = ln B(a, b) - (a - 1) ψ(a) - (b - 1) ψ(b) + (a + b - 2) ψ(a + b)
    mean = a / (a + b),   variance = ab / ((a + b)² (a + b + 1))
    mode = (a - 1) / (a + b - 2) for a, b > 1 (PyTorch's rule elsewhere: 0 or 1 at the
    larger exponent's end, NaN for a = b = 1)

Samples come from NumPy's beta sampler (no gradient, no ``rsample``).
"""
from __future__ import annotations

from ..creation import where
from ..ops.gamma_functions import digamma, lgamma
from ..size import Size
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, draw


class Beta(Distribution):
    arg_constraints = {"concentration1": constraints.positive,
                       "concentration0": constraints.positive}
    support = constraints.unit_interval

    def __init__(self, concentration1, concentration0, validate_args=None):
        self.concentration1, self.concentration0 = broadcast_all(concentration1, concentration0)
        super().__init__(self.concentration1.shape, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self) -> Tensor:
        a, b = self.concentration1, self.concentration0
        above_a, above_b = (a - 1).clamp(min=0), (b - 1).clamp(min=0)
        both_below = (a < 1) & (b < 1)
        return where(both_below, (a >= b).to(a.dtype), above_a / (above_a + above_b))

    @property
    def variance(self) -> Tensor:
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total ** 2 * (total + 1))

    def _log_normalizer(self) -> Tensor:
        """ln B(a, b)."""
        a, b = self.concentration1, self.concentration0
        return lgamma(a) + lgamma(b) - lgamma(a + b)

    def sample(self, sample_shape=Size()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        a = self.concentration1.detach().expand(shape).cpu().numpy()
        b = self.concentration0.detach().expand(shape).cpu().numpy()
        return draw(shape, self.concentration1, lambda g, _: g.beta(a, b))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        a, b = self.concentration1, self.concentration0
        return (a - 1) * value.log() + (b - 1) * (-value).log1p() - self._log_normalizer()

    def entropy(self) -> Tensor:
        a, b = self.concentration1, self.concentration0
        return (self._log_normalizer() - (a - 1) * digamma(a) - (b - 1) * digamma(b)
                + (a + b - 2) * digamma(a + b))
