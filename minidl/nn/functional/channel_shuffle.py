"""``channel_shuffle`` (ShuffleNet): interleave the channels of ``groups`` groups.

    (N, C, *) with C = g·k -> (N, C, *), y[:, j·g + i] = x[:, i·k + j]

a reshape to (N, g, k, *), a transpose of the two channel axes and a reshape back; the
gradient is the inverse permutation (autograd through reshape and transpose).
"""
from __future__ import annotations

from numbers import Integral

from ...tensor import Tensor


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """(N, C, *) -> (N, C, *) with the channels of ``groups`` groups interleaved."""
    if not isinstance(input, Tensor):
        raise TypeError(f"channel_shuffle: input must be a Tensor, got "
                        f"{type(input).__name__}")
    if isinstance(groups, bool) or not isinstance(groups, Integral) or groups < 1:
        raise ValueError(f"channel_shuffle: groups must be a positive int, got {groups!r}")
    if input.ndim < 3:
        raise ValueError(f"channel_shuffle: expected an input of at least 3 dimensions "
                         f"(N, C, *), got shape {tuple(input.shape)}")
    n, channels, *rest = input.shape
    groups = int(groups)
    if channels % groups:
        raise ValueError(f"channel_shuffle: the input's {channels} channels must be "
                         f"divisible by groups = {groups}")
    x = input.reshape(n, groups, channels // groups, *rest).transpose(1, 2)
    return x.reshape(n, channels, *rest)
