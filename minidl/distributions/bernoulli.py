"""``Bernoulli(probs=p)`` or ``Bernoulli(logits=l)``, p = σ(l): x ∈ {0, 1}, P(x = 1) = p.

    ln p(x) = x ln p + (1 - x) ln(1 - p) = x l - softplus(l)
            = -BCEWithLogits(l, x)                    (stable for any l)
    H = -p ln p - (1 - p) ln(1 - p) = BCEWithLogits(l, p)
    mean = p,   variance = p (1 - p),   mode = [p > ½] (NaN at p = ½)

No ``rsample``: a draw of {0, 1} has no gradient.
"""
from __future__ import annotations

from ..creation import tensor
from ..nn.functional import binary_cross_entropy_with_logits
from ..size import Size
from ..tensor import Tensor
from ..tensor_functions import broadcast_tensors
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, draw, logits_to_probs, one_of_probs_logits, probs_to_logits


class Bernoulli(Distribution):
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._param_name = one_of_probs_logits(probs, logits, "Bernoulli")
        (self._param,) = broadcast_all(probs if logits is None else logits)
        super().__init__(self._param.shape, validate_args=validate_args)

    def _given(self) -> dict[str, Tensor]:
        return {self._param_name: self._param}

    @property
    def probs(self) -> Tensor:
        return self._param if self._param_name == "probs" else logits_to_probs(self._param, True)

    @property
    def logits(self) -> Tensor:
        return self._param if self._param_name == "logits" else probs_to_logits(self._param, True)

    @property
    def mean(self) -> Tensor:
        return self.probs

    @property
    def mode(self) -> Tensor:
        probs = self.probs.detach()
        mode = (probs > 0.5).to(probs.dtype)
        return mode.masked_fill(probs == 0.5, float("nan"))

    @property
    def variance(self) -> Tensor:
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=Size()) -> Tensor:
        probs = self.probs.detach()
        u = draw(self._extended_shape(sample_shape), probs, lambda g, shape: g.random(shape))
        return (u < probs).to(probs.dtype)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_tensors(self.logits, value.to(self._param.dtype))
        return -binary_cross_entropy_with_logits(logits, value, reduction="none")

    def entropy(self) -> Tensor:
        return binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """The values 0 and 1, shape (2,) + batch_shape (or (2, 1, ...) without expand)."""
        values = tensor([0.0, 1.0], dtype=self._param.dtype, device=self._param.device)
        values = values.reshape((2,) + (1,) * len(self.batch_shape))
        return values.expand((2,) + self.batch_shape) if expand else values
