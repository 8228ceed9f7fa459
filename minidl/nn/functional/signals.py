"""1-D functions as 2-D ones: a signal (N, C, L) is an image (N, C, 1, L).

Convolution and pooling along a length L equal their 2-D forms on a single row, with
the window 1 high: ``stride`` s becomes (1, s), ``padding`` p becomes (0, p), a kernel k
becomes (1, k).  So the 1-D forms reuse the 2-D Functions, their kernels and gradients.
"""
from __future__ import annotations

from numbers import Integral

from ...tensor import Tensor


def single(value, name: str, op: str) -> int:
    """An int or a one-element tuple/list of ints (PyTorch's ``_single``) as an int."""
    if isinstance(value, tuple | list) and len(value) == 1:
        value = value[0]
    if not isinstance(value, Integral) or isinstance(value, bool):
        raise TypeError(f"{op}: {name} must be an int or a 1-tuple of ints, got {value!r}")
    return int(value)


def as_image(input, op: str) -> Tensor:
    """The (N, C, 1, L) view of an (N, C, L) floating-point input, (1, C, 1, L) of (C, L)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    if input.ndim not in (2, 3):
        raise ValueError(f"{op}: expected a 2-D (C, L) or 3-D (N, C, L) input, got shape "
                         f"{input.shape}")
    if input.dtype.kind != "f":
        raise TypeError(f"{op}: input must be floating point, got {input.dtype}")
    image = input.unsqueeze(-2)
    return image.unsqueeze(0) if input.ndim == 2 else image


def as_signal(output: Tensor, input: Tensor) -> Tensor:
    """The (N, C, L) or (C, L) form, like ``input``, of an (N, C, 1, L) result."""
    signal = output.squeeze(2)
    return signal.squeeze(0) if input.ndim == 2 else signal
