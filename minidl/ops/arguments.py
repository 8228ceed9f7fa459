"""Turning PyTorch-style arguments (an int or a pair of ints) into checked (h, w) pairs."""
from __future__ import annotations

from numbers import Integral


def _is_int(value) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


def pair(value, name: str, op: str) -> tuple[int, int]:
    """An int or a pair of ints as an (h, w) pair of ints."""
    values = [value, value] if _is_int(value) else value
    if not isinstance(values, tuple | list) or len(values) != 2 or not all(
            _is_int(v) for v in values):
        raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
    return int(values[0]), int(values[1])
