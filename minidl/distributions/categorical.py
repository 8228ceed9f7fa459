"""``Categorical(probs=p)`` or ``Categorical(logits=l)``: x ∈ {0, ..., K-1}, P(x = k) = pₖ,
with p normalised over the last dimension (p / Σp, or l - logsumexp l = ln p).

    ln p(x) = l̂ₓ   (the normalised logits, gathered at x)
    H = -Σₖ pₖ l̂ₖ
    mode = argmax p;  mean and variance are NaN (the categories are not numbers)

A sample is the inverse CDF of a uniform draw u: the number of k with u > Σⱼ≤ₖ pⱼ.
"""
from __future__ import annotations

from ..creation import arange, full
from ..size import Size
from ..tensor import Tensor
from ..tensor_functions import broadcast_tensors
from ..type_info import finfo
from . import constraints
from .distribution import Distribution
from .utils import draw, logits_to_probs, one_of_probs_logits, probs_to_logits


class Categorical(Distribution):
    arg_constraints = {"probs": constraints.simplex, "logits": constraints.independent(
        constraints.real, 1)}
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._param_name = one_of_probs_logits(probs, logits, type(self).__name__)
        given = probs if logits is None else logits
        if not isinstance(given, Tensor) or given.ndim < 1:
            raise ValueError(f"{type(self).__name__}: `{self._param_name}` must be a tensor "
                             "of at least one dimension (the categories)")
        if logits is None:
            self._param = given / given.sum(-1, keepdim=True)
        else:
            self._param = given - given.logsumexp(-1, keepdim=True)
        self._num_events = given.shape[-1]
        super().__init__(given.shape[:-1], validate_args=validate_args)

    def _given(self) -> dict[str, Tensor]:
        return {self._param_name: self._param}

    @property
    def support(self) -> constraints.Constraint:  # type: ignore[override]
        return constraints.integer_interval(0, self._num_events - 1)

    @property
    def param_shape(self) -> Size:
        return self._param.shape

    @property
    def probs(self) -> Tensor:
        return self._param if self._param_name == "probs" else logits_to_probs(self._param)

    @property
    def logits(self) -> Tensor:
        return self._param if self._param_name == "logits" else probs_to_logits(self._param)

    @property
    def mean(self) -> Tensor:
        return full(self._extended_shape(), float("nan"), dtype=self._param.dtype,
                    device=self._param.device)

    variance = mean

    @property
    def mode(self) -> Tensor:
        return self.probs.argmax(-1)

    def sample(self, sample_shape=Size()) -> Tensor:
        cdf = self.probs.detach().cumsum(-1)
        u = draw(self._extended_shape(sample_shape), cdf, lambda g, shape: g.random(shape))
        index = (u.unsqueeze(-1) * cdf[..., -1:] > cdf).sum(-1)
        return index.clamp(max=self._num_events - 1)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        value = value.long().unsqueeze(-1)
        value, log_pmf = broadcast_tensors(value, self.logits)
        return log_pmf.gather(-1, value[..., :1]).squeeze(-1)

    def entropy(self) -> Tensor:
        logits = self.logits.clamp(min=finfo(self._param.dtype).min)
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """The categories 0 .. K-1, shape (K,) + batch_shape (or (K, 1, ...))."""
        values = arange(self._num_events, device=self._param.device)
        values = values.reshape((-1,) + (1,) * len(self.batch_shape))
        return values.expand((-1,) + self.batch_shape) if expand else values
