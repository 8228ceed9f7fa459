"""``torch.*`` function forms of the rounding, bitwise and shape methods added beside
``tensor_functions.py``: trunc/fix/frac, bitwise not and shifts, unflatten.  Each hands over
to the Tensor method, where the behaviour lives."""
from __future__ import annotations

from .tensor import Tensor, _as_tensor

# ruff: noqa: A002  (PyTorch's argument names)


def trunc(input: Tensor) -> Tensor:
    return input.trunc()


fix = trunc


def frac(input: Tensor) -> Tensor:
    return input.frac()


def bitwise_not(input: Tensor) -> Tensor:
    return input.bitwise_not()


def bitwise_left_shift(input, other) -> Tensor:
    """input << other (either may be a number; at least one a tensor)."""
    if isinstance(input, Tensor):
        return input.bitwise_left_shift(other)
    return _as_tensor(other, other)._shift(input, left=True, reflected=True)


def bitwise_right_shift(input, other) -> Tensor:
    """input >> other (either may be a number; at least one a tensor)."""
    if isinstance(input, Tensor):
        return input.bitwise_right_shift(other)
    return _as_tensor(other, other)._shift(input, left=False, reflected=True)


def unflatten(input: Tensor, dim: int, sizes) -> Tensor:
    return input.unflatten(dim, sizes)


__all__ = ["bitwise_left_shift", "bitwise_not", "bitwise_right_shift", "fix", "frac",
           "trunc", "unflatten"]
