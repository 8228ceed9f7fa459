"""``torch.distributions.constraints``: the sets parameters and samples live in.

``constraint.check(value)`` is a bool tensor, True where ``value`` is in the set (one
entry per event for constraints on whole events: ``event_dim`` trailing dimensions are
reduced).  Distributions name theirs in ``arg_constraints`` (per parameter) and
``support`` (per sample); with ``validate_args`` they are checked.
"""
from __future__ import annotations

from ..tensor import Tensor
from .utils import matrix_diagonal


class Constraint:
    """A set of values; ``event_dim`` trailing dimensions form one element."""

    is_discrete = False
    event_dim = 0

    def check(self, value: Tensor) -> Tensor:
        raise NotImplementedError

    def __repr__(self) -> str:
        return type(self).__name__.lstrip("_") + "()"


class _Dependent(Constraint):
    """A set that depends on other parameters (Uniform's support): never checked."""

    def check(self, value: Tensor) -> Tensor:
        raise ValueError("a dependent constraint cannot be checked")


class _Real(Constraint):
    def check(self, value):
        return value == value  # False only at NaN


class _GreaterThan(Constraint):
    def __init__(self, lower_bound, strict: bool = True):
        self.lower_bound, self.strict = lower_bound, strict

    def check(self, value):
        return value > self.lower_bound if self.strict else value >= self.lower_bound

    def __repr__(self):
        name = "GreaterThan" if self.strict else "GreaterThanEq"
        return f"{name}(lower_bound={self.lower_bound})"


class _Interval(Constraint):
    """[lower, upper], or [lower, upper) when ``half_open``."""

    def __init__(self, lower_bound, upper_bound, half_open: bool = False):
        self.lower_bound, self.upper_bound, self.half_open = lower_bound, upper_bound, half_open

    def check(self, value):
        below = value < self.upper_bound if self.half_open else value <= self.upper_bound
        return (value >= self.lower_bound) & below

    def __repr__(self):
        name = "HalfOpenInterval" if self.half_open else "Interval"
        return f"{name}(lower_bound={self.lower_bound}, upper_bound={self.upper_bound})"


class _IntegerInterval(Constraint):
    is_discrete = True

    def __init__(self, lower_bound, upper_bound=None):
        self.lower_bound, self.upper_bound = lower_bound, upper_bound

    def check(self, value):
        inside = (value % 1 == 0) & (value >= self.lower_bound)
        return inside if self.upper_bound is None else inside & (value <= self.upper_bound)

    def __repr__(self):
        return f"IntegerInterval(lower_bound={self.lower_bound}, upper_bound={self.upper_bound})"


class _Simplex(Constraint):
    """Non-negative vectors summing to 1 along the last dimension."""

    event_dim = 1

    def check(self, value):
        return (value >= 0).all(dim=-1) & ((value.sum(-1) - 1).abs() < 1e-6)


class _OneHot(Constraint):
    is_discrete = True
    event_dim = 1

    def check(self, value):
        return ((value == 0) | (value == 1)).all(dim=-1) & (value.sum(-1) == 1)


class _LowerCholesky(Constraint):
    """Square lower-triangular matrices with a positive diagonal."""

    event_dim = 2

    def check(self, value):
        lower = (value.tril() == value).all(dim=-1).all(dim=-1)
        return lower & (matrix_diagonal(value) > 0).all(dim=-1)


class _Independent(Constraint):
    """``base_constraint`` on each element, all of the last ``ndims`` dimensions at once."""

    def __init__(self, base_constraint: Constraint, reinterpreted_batch_ndims: int):
        self.base_constraint = base_constraint
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims
        self.is_discrete = base_constraint.is_discrete
        self.event_dim = base_constraint.event_dim + reinterpreted_batch_ndims

    def check(self, value):
        result = self.base_constraint.check(value)
        for _ in range(self.reinterpreted_batch_ndims):
            result = result.all(dim=-1)
        return result

    def __repr__(self):
        return f"IndependentConstraint({self.base_constraint!r}, {self.reinterpreted_batch_ndims})"


dependent = _Dependent()
real = _Real()
real_vector = _Independent(real, 1)
positive = _GreaterThan(0.0)
nonnegative = _GreaterThan(0.0, strict=False)
greater_than = _GreaterThan


def greater_than_eq(lower_bound) -> Constraint:
    return _GreaterThan(lower_bound, strict=False)


def half_open_interval(lower_bound, upper_bound) -> Constraint:
    return _Interval(lower_bound, upper_bound, half_open=True)


unit_interval = _Interval(0.0, 1.0)
interval = _Interval
boolean = _IntegerInterval(0, 1)
nonnegative_integer = _IntegerInterval(0)
integer_interval = _IntegerInterval
simplex = _Simplex()
one_hot = _OneHot()
lower_cholesky = _LowerCholesky()
independent = _Independent


def is_dependent(constraint: Constraint) -> bool:
    return isinstance(constraint, _Dependent)
