"""Max, average and adaptive average pooling over (N, C, H, W), written to be read.

Pooling slides a kH×kW window over each channel plane independently.  Output position
(oh, ow) looks at the input rows  oh·sH - pH + i·dH  (i = 0 … kH-1)  and the columns
ow·sW - pW + j·dW  (j = 0 … kW-1), where s is the stride, p the zero/-∞ padding on each
side and d the dilation (gap between window taps; average pooling has d = 1).

Output size per spatial dimension, out = ⌊(in + 2p - d·(k-1) - 1) / s⌋ + 1, or rounded up in
ceil_mode (PyTorch's formulas, in ``minidl/kernels/geometry.py``).

Every kernel takes ``kernel``, ``stride``, ``padding`` and ``dilation`` as (h, w) pairs of
ints; checking them is the job of the caller (``minidl.ops.pooling``).

The reference kernels pad the input explicitly, then loop over the kH·kW window *offsets*
(i, j): for one offset, the values under it for every output position form one strided
slice of the padded input.  The loops are short (kH·kW) and each step is whole-array NumPy.
"""
from __future__ import annotations

import numpy as np

from ..geometry import pool_output_shape


def _padded(x, out_hw, kernel, stride, padding, dilation, fill):
    """x with ``padding`` rows/columns of ``fill`` before, and enough after for every window
    (ceil_mode windows may hang past the right padding: those cells hold ``fill`` too)."""
    n, c, h, w = x.shape
    need_h = (out_hw[0] - 1) * stride[0] + dilation[0] * (kernel[0] - 1) + 1
    need_w = (out_hw[1] - 1) * stride[1] + dilation[1] * (kernel[1] - 1) + 1
    padded = np.full((n, c, max(need_h, h + padding[0]), max(need_w, w + padding[1])), fill,
                     dtype=x.dtype)
    padded[:, :, padding[0]:padding[0] + h, padding[1]:padding[1] + w] = x
    return padded


def _window_tap(padded, out_hw, stride, offset):
    """The values under window tap ``offset`` = (i·dH, j·dW) for every output position:
    padded[:, :, offset_h + oh·sH, offset_w + ow·sW] as an (N, C, OH, OW) view."""
    return padded[:, :,
                  offset[0]:offset[0] + (out_hw[0] - 1) * stride[0] + 1:stride[0],
                  offset[1]:offset[1] + (out_hw[1] - 1) * stride[1] + 1:stride[1]]


def _first_inside(start, dilation):
    """The first tap start + k·dilation (k >= 0) that is not in the top/left padding:
    stepping by d from a negative start first reaches 0 or more at start mod d."""
    return np.where(start < 0, start % dilation, start)


def max_pool2d_forward(x, kernel, stride, padding, dilation, ceil_mode):
    """y[n, c, oh, ow] = max over the window of x (padding counts as -∞).

    Returns ``(y, indices)``: ``indices`` (int64, y's shape) holds where each maximum came
    from, as a flat position h·W + w in its (H, W) input plane (PyTorch's convention).
    Ties go to the first tap in row-major window order; a NaN wins over any number.  A
    window of -∞ only reports its first tap inside the input (as PyTorch does).
    """
    n, c, h, w = x.shape
    out_hw = pool_output_shape(x.shape, kernel, stride, padding, dilation, ceil_mode)[2:]
    padded = _padded(x, out_hw, kernel, stride, padding, dilation, -np.inf)
    # input row and column of every output position's first window tap
    rows0 = np.arange(out_hw[0]).reshape(-1, 1) * stride[0] - padding[0]
    cols0 = np.arange(out_hw[1]).reshape(1, -1) * stride[1] - padding[1]
    y = np.full((n, c) + out_hw, -np.inf, dtype=x.dtype)
    indices = np.broadcast_to(_first_inside(rows0, dilation[0]) * w
                              + _first_inside(cols0, dilation[1]), y.shape)
    for i in range(kernel[0]):
        for j in range(kernel[1]):
            values = _window_tap(padded, out_hw, stride, (i * dilation[0], j * dilation[1]))
            better = (values > y) | np.isnan(values)
            rows, cols = rows0 + i * dilation[0], cols0 + j * dilation[1]
            y = np.where(better, values, y)
            indices = np.where(better, rows * w + cols, indices)
    return y, indices


def max_pool2d_backward(grad_y, indices, input_shape, kernel, stride, padding, dilation):
    """Each output's gradient goes to the input element that was its maximum.

    Overlapping windows may pick one element several times: those gradients add up.
    Scattering by ``indices`` needs no window geometry (kernel, stride, padding,
    dilation); the cuda kernel takes it to gather, for each input element, over the
    windows that cover it, and every backend shares one signature.
    """
    n, c, h, w = input_shape
    planes = n * c
    flat_indices = indices.reshape(planes, -1)  # (N·C, OH·OW) positions in h·W + w
    plane_of_each = np.broadcast_to(np.arange(planes).reshape(-1, 1), flat_indices.shape)
    grad_x = np.zeros((planes, h * w), dtype=grad_y.dtype)
    np.add.at(grad_x, (plane_of_each, flat_indices), grad_y.reshape(planes, -1))
    return grad_x.reshape(input_shape)


def avg_pool_divisors(input_hw, out_hw, kernel, stride, padding, ceil_mode,
                      count_include_pad, divisor_override):
    """The number each window's sum is divided by, (OH, OW), as PyTorch counts it.

    ``count_include_pad``: the window's size clipped to the padded input (cells hanging past
    it in ceil_mode do not count); otherwise only the cells inside the real input count.
    ``divisor_override`` replaces both.
    """
    if divisor_override is not None:
        return np.full(out_hw, float(divisor_override))
    counts = []
    for dim in range(2):
        start = np.arange(out_hw[dim]) * stride[dim] - padding[dim]
        end = np.minimum(start + kernel[dim], input_hw[dim] + padding[dim])
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, input_hw[dim])
        counts.append(end - start)
    return np.outer(counts[0], counts[1]).astype(np.float64)


def avg_pool2d_forward(x, kernel, stride, padding, ceil_mode, count_include_pad,
                       divisor_override):
    """y[n, c, oh, ow] = (sum of x over the window, padding counting as 0) / divisor."""
    out_hw = pool_output_shape(x.shape, kernel, stride, padding, (1, 1), ceil_mode)[2:]
    padded = _padded(x, out_hw, kernel, stride, padding, (1, 1), 0)
    total = np.zeros(x.shape[:2] + out_hw, dtype=np.float64)
    for i in range(kernel[0]):
        for j in range(kernel[1]):
            total += _window_tap(padded, out_hw, stride, (i, j))
    divisors = avg_pool_divisors(x.shape[2:], out_hw, kernel, stride, padding, ceil_mode,
                                 count_include_pad, divisor_override)
    return (total / divisors).astype(x.dtype)


def avg_pool2d_backward(grad_y, input_shape, kernel, stride, padding, ceil_mode,
                        count_include_pad, divisor_override):
    """Each input element receives grad_y / divisor from every window that covers it."""
    n, c, h, w = input_shape
    out_hw = grad_y.shape[2:]
    divisors = avg_pool_divisors((h, w), out_hw, kernel, stride, padding, ceil_mode,
                                 count_include_pad, divisor_override)
    share = grad_y / divisors
    grad_padded = _padded(np.zeros(input_shape, dtype=np.float64), out_hw, kernel, stride,
                          padding, (1, 1), 0)
    for i in range(kernel[0]):
        for j in range(kernel[1]):
            _window_tap(grad_padded, out_hw, stride, (i, j))[...] += share
    grad_x = grad_padded[:, :, padding[0]:padding[0] + h, padding[1]:padding[1] + w]
    return grad_x.astype(grad_y.dtype)


def adaptive_pool_ranges(in_size: int, out_size: int) -> list[tuple[int, int]]:
    """Window [start, end) of each output along one dimension:
    start = ⌊o·in/out⌋, end = ⌈(o+1)·in/out⌉ (windows may differ in size and overlap)."""
    return [((o * in_size) // out_size, -((-(o + 1) * in_size) // out_size))
            for o in range(out_size)]


def adaptive_avg_pool2d_forward(x, output_size):
    """y[n, c, oh, ow] = mean of x over window (oh, ow); ``output_size`` = (OH, OW).

    With output_size (1, 1) this is global average pooling.
    """
    n, c, h, w = x.shape
    y = np.zeros((n, c) + tuple(output_size), dtype=x.dtype)
    for oh, (h0, h1) in enumerate(adaptive_pool_ranges(h, output_size[0])):
        for ow, (w0, w1) in enumerate(adaptive_pool_ranges(w, output_size[1])):
            y[:, :, oh, ow] = x[:, :, h0:h1, w0:w1].mean(axis=(2, 3))
    return y


def adaptive_avg_pool2d_backward(grad_y, input_shape):
    """Each window's gradient is spread evenly over the window's cells (and summed where
    windows overlap)."""
    n, c, h, w = input_shape
    out_h, out_w = grad_y.shape[2:]
    grad_x = np.zeros(input_shape, dtype=grad_y.dtype)
    for oh, (h0, h1) in enumerate(adaptive_pool_ranges(h, out_h)):
        for ow, (w0, w1) in enumerate(adaptive_pool_ranges(w, out_w)):
            area = (h1 - h0) * (w1 - w0)
            grad_x[:, :, h0:h1, w0:w1] += (grad_y[:, :, oh, ow] / area)[:, :, None, None]
    return grad_x
