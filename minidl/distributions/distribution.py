"""``Distribution``: the interface every distribution shares (PyTorch's).

A distribution holds a batch of independent distributions (``batch_shape``), each over
events of ``event_shape``.  ``sample(sample_shape)`` has shape
``sample_shape + batch_shape + event_shape``; ``log_prob(value)`` reduces the event
dimensions and has shape ``sample_shape + batch_shape``.  ``rsample`` (where
``has_rsample``) draws by reparameterisation, x = g(θ, ε) with ε parameter-free noise, so
that gradients flow from the samples to the parameters θ; ``sample`` is the same draw
without gradient.

With ``validate_args`` (on by default, as PyTorch's under ``__debug__``), the parameters
are checked against ``arg_constraints`` when the distribution is made and values against
``support`` in ``log_prob``: a ValueError names what is wrong.
"""
from __future__ import annotations

from ..autograd.grad_mode import no_grad
from ..size import Size
from ..tensor import Tensor
from . import constraints

_default_validate_args = __debug__


class Distribution:
    has_rsample = False
    has_enumerate_support = False
    arg_constraints: dict[str, constraints.Constraint] = {}
    support: constraints.Constraint = constraints.dependent  # unknown: never checked

    @staticmethod
    def set_default_validate_args(value: bool) -> None:
        global _default_validate_args
        if value not in (True, False):
            raise ValueError(f"validate_args must be True or False, got {value!r}")
        _default_validate_args = value

    def __init__(self, batch_shape=Size(), event_shape=Size(), validate_args=None):
        self._batch_shape = Size(batch_shape)
        self._event_shape = Size(event_shape)
        self._validate_args = (_default_validate_args if validate_args is None
                               else bool(validate_args))
        if self._validate_args:
            for name, constraint in self.arg_constraints.items():
                if constraints.is_dependent(constraint) or name not in self._given():
                    continue
                value = getattr(self, name)
                if not bool(constraint.check(value).all()):
                    raise ValueError(
                        f"Expected parameter {name} ({type(value).__name__} of shape "
                        f"{tuple(value.shape)}) of distribution {self!r} to satisfy the "
                        f"constraint {constraint!r}, but found invalid values:\n{value}")

    def _given(self) -> dict[str, Tensor]:
        """The parameters as the constructor took them (what ``expand`` expands): those of
        ``arg_constraints`` stored on the instance."""
        return {name: self.__dict__[name] for name in self.arg_constraints
                if name in self.__dict__}

    # -- shapes -------------------------------------------------------------------------
    @property
    def batch_shape(self) -> Size:
        return self._batch_shape

    @property
    def event_shape(self) -> Size:
        return self._event_shape

    def _extended_shape(self, sample_shape=Size()) -> Size:
        return Size(tuple(sample_shape) + self._batch_shape + self._event_shape)

    def expand(self, batch_shape, _instance=None) -> Distribution:
        """The same distribution repeated over a larger ``batch_shape`` (parameters are
        expanded views, no copies)."""
        batch_shape = Size(batch_shape)
        given = {name: value.expand(batch_shape + value.shape[len(self._batch_shape):])
                 for name, value in self._given().items()}
        new = type(self)(**given, validate_args=False)
        new._validate_args = self._validate_args
        return new

    # -- sampling -----------------------------------------------------------------------
    def sample(self, sample_shape=Size()) -> Tensor:
        """Samples of shape ``sample_shape + batch_shape + event_shape``, no gradient."""
        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=Size()) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} has no reparameterized sampler "
                                  "(rsample); use sample()")

    def sample_n(self, n: int) -> Tensor:
        return self.sample(Size((n,)))

    # -- densities and moments ----------------------------------------------------------
    def log_prob(self, value: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__}.log_prob")

    def cdf(self, value: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__}.cdf")

    def icdf(self, value: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__}.icdf")

    def entropy(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__}.entropy")

    def perplexity(self) -> Tensor:
        return self.entropy().exp()

    @property
    def mean(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__}.mean")

    @property
    def mode(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__}.mode")

    @property
    def variance(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__}.variance")

    @property
    def stddev(self) -> Tensor:
        return self.variance.sqrt()

    # -- checks -------------------------------------------------------------------------
    def _validate_sample(self, value) -> None:
        """``value`` must be a tensor whose trailing dimensions broadcast against
        ``batch_shape + event_shape`` and lie in ``support``."""
        if not isinstance(value, Tensor):
            raise ValueError(f"The value argument to log_prob must be a Tensor, got "
                             f"{type(value).__name__}")
        event_dims = len(self._event_shape)
        if tuple(value.shape[value.ndim - event_dims:]) != tuple(self._event_shape):
            raise ValueError(f"The right-most size of value must match event_shape: "
                             f"{tuple(value.shape)} vs {tuple(self._event_shape)}.")
        actual = tuple(value.shape[:value.ndim - event_dims])
        expected = tuple(self._batch_shape)
        for i, j in zip(reversed(actual), reversed(expected), strict=False):
            if i != 1 and j != 1 and i != j:
                raise ValueError(f"Value is not broadcastable with batch_shape+event_shape: "
                                 f"{tuple(value.shape)} vs {self._extended_shape()}.")
        support = self.support
        if constraints.is_dependent(support):
            return
        if not bool(support.check(value).all()):
            raise ValueError(f"Expected value argument ({type(value).__name__} of shape "
                             f"{tuple(value.shape)}) to be within the support "
                             f"({support!r}) of the distribution {self!r}, but found "
                             f"invalid values:\n{value}")

    def __repr__(self) -> str:
        given = self._given()
        shown = ", ".join(f"{name}: {value.shape if value.ndim else value.item()}"
                          for name, value in given.items())
        return f"{type(self).__name__}({shown})"
