"""Output sizes of convolution, transposed convolution and pooling, along one spatial axis.

A window of k taps with dilation d spans ``d·(k-1) + 1`` input pixels.  Sliding it with
stride s over an input of size n padded by p on both sides fits

    out = ⌊(n + 2p - d·(k-1) - 1) / s⌋ + 1

positions (convolution and pooling alike).  The transposed convolution maps ``out`` back
to ``n``; because the floor forgets up to s-1 trailing pixels, ``output_padding``
(0 <= output_padding < s) says how many of them to restore:

    n = (out - 1)·s - 2p + d·(k-1) + output_padding + 1

Pooling may round up instead (``ceil_mode``, PyTorch's rule): ⌈…⌉ in place of ⌊…⌋, except
that the last window must start inside the input or its left padding, never in the right
padding (it is dropped if it would).

Every kernel backend and the argument checks take their sizes from here.
"""
from __future__ import annotations

import math


def conv_output_size(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """Number of positions a convolution window takes along one axis."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def conv_transpose_output_size(size: int, kernel: int, stride: int, padding: int,
                               dilation: int, output_padding: int) -> int:
    """Size along one axis of the output of a transposed convolution."""
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def pool_output_size(size: int, kernel: int, stride: int, padding: int, dilation: int,
                     ceil_mode: bool) -> int:
    """Number of pooling windows along one axis (may be < 1 for impossible sizes)."""
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    out = (math.ceil(span / stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1  # the last window would start in the right padding: drop it
    return out


def pool_output_shape(input_shape, kernel, stride, padding, dilation, ceil_mode) -> tuple:
    """(N, C, OH, OW) of pooling an (N, C, H, W) input; the options are (h, w) pairs."""
    n, c, h, w = input_shape
    return (n, c,
            pool_output_size(h, kernel[0], stride[0], padding[0], dilation[0], ceil_mode),
            pool_output_size(w, kernel[1], stride[1], padding[1], dilation[1], ceil_mode))
