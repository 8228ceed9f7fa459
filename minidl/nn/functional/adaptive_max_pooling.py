"""Adaptive max pooling: a fixed output size whatever the input's (``torch.nn.functional``
names and arguments).

PyTorch's window rule, per axis of size S pooled to O: output i covers
[⌊i·S/O⌋, ⌈(i+1)·S/O⌉).  The windows of one output may differ in size, so each is listed
as flat positions h·W + w in a (OH, OW, K) table, short windows padded by repeating their
first position (a repeat never changes a maximum, nor which position is first to reach
it).  The pooling is then a gather (``index_select``) and a ``max`` over the last axis:
its gradient flows to each maximum's position, exactly, on any backend.
"""
from __future__ import annotations

import numpy as np

from ... import creation
from ...tensor import Tensor
from .batching import as_batched, like_input
from .signals import as_image, as_signal, single


def adaptive_windows(size: int, out: int) -> list[range]:
    """The input positions of each of ``out`` windows over ``size``: [⌊i·S/O⌋, ⌈(i+1)·S/O⌉)."""
    return [range(i * size // out, -(-(i + 1) * size // out)) for i in range(out)]


def _window_table(height: int, width: int, out_h: int, out_w: int) -> np.ndarray:
    """(OH, OW, K) flat positions h·W + w of each window, padded with its first one."""
    rows, columns = adaptive_windows(height, out_h), adaptive_windows(width, out_w)
    largest = max(map(len, rows)) * max(map(len, columns))
    table = np.empty((out_h, out_w, largest), dtype=np.int64)
    for i, hs in enumerate(rows):
        for j, ws in enumerate(columns):
            cells = [h * width + w for h in hs for w in ws]
            table[i, j] = cells + cells[:1] * (largest - len(cells))
    return table


def _pool(x: Tensor, out_h: int, out_w: int) -> tuple[Tensor, Tensor]:
    """(N, C, H, W) -> the (N, C, OH, OW) maxima and their flat positions (int64)."""
    n, c, height, width = x.shape
    table = creation.tensor(_window_table(height, width, out_h, out_w), device=x.device)
    windows = x.flatten(2).index_select(2, table.reshape(-1)).reshape(n, c, out_h, out_w, -1)
    values, choice = windows.max(dim=-1)
    width_k = table.shape[-1]
    first = creation.arange(0, out_h * out_w * width_k, width_k, device=x.device)
    return values, table.reshape(-1)[choice + first.reshape(out_h, out_w)]


def _output_sizes(op: str, output_size, input_hw) -> tuple[int, int]:
    """``output_size`` (int, or pair where None keeps the input's size) as a pair."""
    sizes = tuple(output_size) if isinstance(output_size, tuple | list) \
        else (output_size, output_size)
    if len(sizes) != 2:
        raise ValueError(f"{op}: output_size must be an int or a pair, got {output_size!r}")
    sizes = tuple(size if size is not None else input_hw[axis]
                  for axis, size in enumerate(sizes))
    if not all(isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in sizes):
        raise ValueError(f"{op}: output_size must be positive ints, got {output_size!r}")
    return sizes


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):
    """Max pooling of (N, C, H, W) or (C, H, W) to (…, OH, OW): output (i, j) is the
    maximum over rows [⌊i·H/OH⌋, ⌈(i+1)·H/OH⌉) and columns likewise.  With
    ``return_indices`` also returns each maximum's flat position h·W + w."""
    op = "adaptive_max_pool2d"
    x = as_batched(input, op)
    values, indices = _pool(x, *_output_sizes(op, output_size, x.shape[2:]))
    values, indices = like_input(values, input), like_input(indices, input)
    return (values, indices) if return_indices else values


def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False):
    """Max pooling of (N, C, L) or (C, L) to OL values: output t is the maximum over
    [⌊t·L/OL⌋, ⌈(t+1)·L/OL⌉); with ``return_indices`` also each maximum's position."""
    op = "adaptive_max_pool1d"
    size = single(output_size, "output_size", op)
    if size < 1:
        raise ValueError(f"{op}: output_size must be positive, got {output_size!r}")
    x = as_image(input, op)
    values, indices = _pool(x, 1, size)
    values, indices = as_signal(values, input), as_signal(indices, input)
    return (values, indices) if return_indices else values
