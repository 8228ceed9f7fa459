"""``torch.*`` function forms of the rounding, bitwise and shape methods added beside
``tensor_functions.py``: trunc/fix/frac, bitwise operations, unflatten, ravel, the
directional splits and flips.  Each hands over to the Tensor method, where the behaviour
lives."""
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


def bitwise_and(input: Tensor, other) -> Tensor:
    return input & other


def bitwise_or(input: Tensor, other) -> Tensor:
    return input | other


def bitwise_xor(input: Tensor, other) -> Tensor:
    return input ^ other


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


def ravel(input: Tensor) -> Tensor:
    return input.ravel()


def swapdims(input: Tensor, dim0: int, dim1: int) -> Tensor:
    return input.transpose(dim0, dim1)


def _directional_split(input: Tensor, sections, dim: int, least: int, op: str):
    if input.ndim < least:
        raise RuntimeError(f"torch.{op} requires a tensor with at least {least} dimension"
                           f"{'s' if least > 1 else ''}, but got a tensor with {input.ndim} "
                           "dimensions!")
    if isinstance(sections, int) and input.shape[dim] % sections:
        raise RuntimeError(f"torch.{op} attempted to split along dimension {dim}, but the "
                           f"size of the dimension {input.shape[dim]} is not divisible by "
                           f"the split_size {sections}!")
    return input.tensor_split(sections, dim)


def hsplit(input: Tensor, sections) -> tuple:
    """Split along the columns: dimension 1, or 0 for a 1-D tensor (``tensor_split``'s
    sections or indices)."""
    return _directional_split(input, sections, 0 if input.ndim == 1 else 1, 1, "hsplit")


def vsplit(input: Tensor, sections) -> tuple:
    return _directional_split(input, sections, 0, 2, "vsplit")


def dsplit(input: Tensor, sections) -> tuple:
    return _directional_split(input, sections, 2, 3, "dsplit")


def fliplr(input: Tensor) -> Tensor:
    if input.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return input.flip(1)


def flipud(input: Tensor) -> Tensor:
    if input.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return input.flip(0)

