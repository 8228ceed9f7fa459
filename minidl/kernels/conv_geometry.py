"""Output sizes of a convolution and of its transpose, along one spatial axis.

A kernel of size k with dilation d spans ``d·(k-1) + 1`` input pixels.  Sliding it with
stride s over an input of size n padded by p on both sides fits

    out = ⌊(n + 2p - d·(k-1) - 1) / s⌋ + 1

positions.  The transposed convolution maps ``out`` back to ``n``; because the floor
forgets up to s-1 trailing pixels, ``output_padding`` (0 <= output_padding < s) says how
many of them to restore:

    n = (out - 1)·s - 2p + d·(k-1) + output_padding + 1
"""
from __future__ import annotations


def conv_output_size(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """Number of positions a convolution window takes along one axis."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def conv_transpose_output_size(size: int, kernel: int, stride: int, padding: int,
                               dilation: int, output_padding: int) -> int:
    """Size along one axis of the output of a transposed convolution."""
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1
