"""Max, average and adaptive average pooling with Numba: the contract of
``reference.pooling`` (same arguments, same results).

The input is viewed as P = N·C independent (H, W) planes.  The parallel loop runs over
planes: iteration p reads plane p of the input and writes plane p of the output — and, in
the backward passes, plane p of the input gradient, where overlapping windows add into the
same cells *within* the plane only.  So no two iterations ever write the same element.

Window bounds are clipped to the input instead of padding it: for output row oh the rows
are h0 + i·dH with h0 = oh·sH - pH, kept while 0 <= row < H (likewise for columns).
The sums loop over a slice of each row, ``row = x[p, h, w_begin:w_end]``, from 0 to its
size: Numba vectorizes that loop, but not one that starts at a run-time ``w_begin``.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from ..geometry import pool_output_shape
from .options import FAST_SUMS
from .reductions import row_totals
from .workers import parallel_loop


def _as_planes(x: np.ndarray) -> np.ndarray:
    """A C-contiguous (N·C, H, W) view (or copy) of (N, C, H, W)."""
    return np.ascontiguousarray(x).reshape(-1, x.shape[-2], x.shape[-1])


@njit(cache=True, inline="always", error_model="numpy")
def _first_inside(start, dilation):
    """The first of start, start + d, start + 2d, … that is >= 0."""
    if start >= 0:
        return start
    return start % dilation


@njit(nogil=True, cache=True, error_model="numpy")
def _max_pool_forward(x, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w,
                      dilation_h, dilation_w, y, indices, start, stop):
    """Scan each window in row-major order; ``value > best or isnan(value)`` keeps the
    first maximum and lets a NaN win, as PyTorch does.  (The taps are stepped with while
    loops: Numba's ``range`` with a run-time step costs a third more here.)"""
    _, height, width = x.shape
    _, out_h, out_w = y.shape
    for p in range(start, stop):
        plane = x[p]
        for oh in range(out_h):
            h0 = oh * stride_h - pad_h
            h_begin = _first_inside(h0, dilation_h)
            h_end = min(h0 + (kernel_h - 1) * dilation_h + 1, height)
            for ow in range(out_w):
                w0 = ow * stride_w - pad_w
                w_begin = _first_inside(w0, dilation_w)
                w_end = min(w0 + (kernel_w - 1) * dilation_w + 1, width)
                best = -np.inf
                best_index = h_begin * width + w_begin
                h = h_begin
                while h < h_end:
                    w = w_begin
                    while w < w_end:
                        value = plane[h, w]
                        if value > best or np.isnan(value):
                            best = value
                            best_index = h * width + w
                        w += dilation_w
                    h += dilation_h
                y[p, oh, ow] = best
                indices[p, oh, ow] = best_index


@njit(nogil=True, cache=True, error_model="numpy")
def _max_pool_backward(grad_y, indices, grad_x, start, stop):
    _, out_h, out_w = grad_y.shape
    for p in range(start, stop):
        grad_x[p, :] = 0
        for oh in range(out_h):
            for ow in range(out_w):
                grad_x[p, indices[p, oh, ow]] += grad_y[p, oh, ow]


@njit(nogil=True, cache=True, error_model="numpy")
def _max_pool_2x2_forward(x, y, indices, start, stop):
    """The 2x2, stride-2, unpadded windows (the studies' pooling), each read as two
    pairs of a row: the general loop's rule (first maximum, a NaN wins) with its
    bookkeeping unrolled (3x faster).  Every window lies inside the plane."""
    width = x.shape[2]
    _, out_h, out_w = y.shape
    for p in range(start, stop):
        plane, maxima, where = x[p], y[p], indices[p]
        for oh in range(out_h):
            top, bottom = plane[2 * oh], plane[2 * oh + 1]
            first = 2 * oh * width
            for ow in range(out_w):
                column = 2 * ow
                best, index = top[column], first + column
                value = top[column + 1]
                if value > best or np.isnan(value):
                    best, index = value, first + column + 1
                value = bottom[column]
                if value > best or np.isnan(value):
                    best, index = value, first + width + column
                value = bottom[column + 1]
                if value > best or np.isnan(value):
                    best, index = value, first + width + column + 1
                maxima[oh, ow] = best
                where[oh, ow] = index


def max_pool2d_forward(x, kernel, stride, padding, dilation, ceil_mode):
    """``(y, indices)``: window maxima and their flat positions h·W + w in the input plane."""
    n, c, height, width = x.shape
    out_shape = pool_output_shape(x.shape, kernel, stride, padding, dilation, ceil_mode)
    y = np.empty(out_shape, dtype=x.dtype)
    indices = np.empty(out_shape, dtype=np.int64)
    work = 2 * y.size * (kernel[0] * kernel[1] + 2)  # a compare and a branch a value
    if tuple(dilation) == (1, 1) and _windows_2x2_inside((height, width), out_shape[2:],
                                                         kernel, stride, padding):
        parallel_loop(_max_pool_2x2_forward, n * c, work, _as_planes(x), _as_planes(y),
                      _as_planes(indices))
        return y, indices
    parallel_loop(_max_pool_forward, n * c, work, _as_planes(x), *kernel, *stride,
                  *padding, *dilation, _as_planes(y), _as_planes(indices))
    return y, indices


def max_pool2d_backward(grad_y, indices, input_shape, kernel, stride, padding, dilation):
    """Each output's gradient is added to the input element that was its maximum (the
    window geometry is not needed to scatter by index; see the reference)."""
    grad_x = np.empty((input_shape[0] * input_shape[1], input_shape[2] * input_shape[3]),
                      dtype=grad_y.dtype)
    parallel_loop(_max_pool_backward, grad_x.shape[0], grad_x.size + 2 * grad_y.size,
                  _as_planes(grad_y), _as_planes(indices), grad_x)
    return grad_x.reshape(input_shape)


@njit(cache=True, inline="always", error_model="numpy")
def _window(o, stride, pad, kernel, size, count_include_pad):
    """[begin, end) of output o's window clipped to the input, and the cells it counts:
    clipped to the padded input with ``count_include_pad``, to the input otherwise."""
    start = o * stride - pad
    end = min(start + kernel, size + pad)
    counted = end - start
    begin = max(start, 0)
    end = min(end, size)
    if not count_include_pad:
        counted = end - begin
    return begin, end, counted


@njit(nogil=True, cache=True, fastmath=FAST_SUMS, error_model="numpy")
def _avg_pool_forward(x, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w,
                      count_include_pad, divisor_override, y, start, stop):
    """y = window sum / divisor; ``divisor_override`` 0 means "none" (the wrappers pass
    ``divisor_override or 0``: a real override is never 0)."""
    _, height, width = x.shape
    _, out_h, out_w = y.shape
    for p in range(start, stop):
        for oh in range(out_h):
            h_begin, h_end, h_count = _window(oh, stride_h, pad_h, kernel_h, height,
                                              count_include_pad)
            for ow in range(out_w):
                w_begin, w_end, w_count = _window(ow, stride_w, pad_w, kernel_w, width,
                                                  count_include_pad)
                total = 0.0
                for h in range(h_begin, h_end):
                    row = x[p, h, w_begin:w_end]
                    for w in range(row.size):
                        total += row[w]
                divisor = divisor_override if divisor_override != 0 else h_count * w_count
                y[p, oh, ow] = total / divisor


@njit(nogil=True, cache=True, error_model="numpy")
def _avg_pool_backward(grad_y, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w,
                       count_include_pad, divisor_override, grad_x, start, stop):
    _, height, width = grad_x.shape
    _, out_h, out_w = grad_y.shape
    for p in range(start, stop):
        grad_x[p, :, :] = 0
        for oh in range(out_h):
            h_begin, h_end, h_count = _window(oh, stride_h, pad_h, kernel_h, height,
                                              count_include_pad)
            for ow in range(out_w):
                w_begin, w_end, w_count = _window(ow, stride_w, pad_w, kernel_w, width,
                                                  count_include_pad)
                divisor = divisor_override if divisor_override != 0 else h_count * w_count
                share = grad_y[p, oh, ow] / divisor
                for h in range(h_begin, h_end):
                    row = grad_x[p, h, w_begin:w_end]
                    for w in range(row.size):
                        row[w] += share


@njit(nogil=True, cache=True, error_model="numpy")
def _avg_pool_2x2_forward(x, divisor, y, start, stop):
    """The 2x2, stride-2 windows that lie inside the plane: y = (((a + b) + c) + d) /
    divisor, summed in float64 in the reference's order, one output row a loop that LLVM
    vectorizes (the general loop's per-window bookkeeping made it 3x slower)."""
    x, y = x[start:stop], y[start:stop]     # from 0: see activation._relu_backward
    _, out_h, out_w = y.shape
    for p in range(x.shape[0]):
        for oh in range(out_h):
            top, bottom, out = x[p, 2 * oh], x[p, 2 * oh + 1], y[p, oh]
            for ow in range(out_w):
                total = np.float64(top[2 * ow]) + np.float64(top[2 * ow + 1])
                total = total + np.float64(bottom[2 * ow]) + np.float64(bottom[2 * ow + 1])
                out[ow] = total / divisor


@njit(nogil=True, cache=True, error_model="numpy")
def _avg_pool_2x2_backward(grad_y, divisor, grad_x, start, stop):
    """The adjoint of ``_avg_pool_2x2_forward``: each input cell of a window receives its
    output's gradient / divisor (computed in float64, as the reference does); the last
    row or column of an odd-sized plane lies in no window and receives 0."""
    grad_y, grad_x = grad_y[start:stop], grad_x[start:stop]
    _, out_h, out_w = grad_y.shape
    for p in range(grad_x.shape[0]):
        grad_x[p, 2 * out_h:, :] = 0
        grad_x[p, :, 2 * out_w:] = 0
        for oh in range(out_h):
            top, bottom, gradient = grad_x[p, 2 * oh], grad_x[p, 2 * oh + 1], grad_y[p, oh]
            for ow in range(out_w):
                share = np.float64(gradient[ow]) / divisor
                top[2 * ow] = share
                top[2 * ow + 1] = share
                bottom[2 * ow] = share
                bottom[2 * ow + 1] = share


def _windows_2x2_inside(plane_hw, out_hw, kernel, stride, padding) -> bool:
    """Whether pooling runs 2x2 windows of stride 2, unpadded, every one inside the plane."""
    return (tuple(kernel) == tuple(stride) == (2, 2) and tuple(padding) == (0, 0)
            and all(2 * o <= size for o, size in zip(out_hw, plane_hw)))


def avg_pool2d_forward(x, kernel, stride, padding, ceil_mode, count_include_pad,
                       divisor_override):
    """Window sums (padding counts as 0) divided as PyTorch divides them."""
    out_shape = pool_output_shape(x.shape, kernel, stride, padding, (1, 1), ceil_mode)
    y = np.empty(out_shape, dtype=x.dtype)
    if _windows_2x2_inside(x.shape[2:], out_shape[2:], kernel, stride, padding):
        parallel_loop(_avg_pool_2x2_forward, x.shape[0] * x.shape[1], x.size + y.size,
                      _as_planes(x), float(divisor_override or 4), _as_planes(y))
        return y
    parallel_loop(_avg_pool_forward, x.shape[0] * x.shape[1], y.size * kernel[0] * kernel[1],
                  _as_planes(x), *kernel, *stride, *padding, bool(count_include_pad),
                  int(divisor_override or 0), _as_planes(y))
    return y


def avg_pool2d_backward(grad_y, input_shape, kernel, stride, padding, ceil_mode,
                        count_include_pad, divisor_override):
    """Each input element receives grad_y / divisor from every window that covers it."""
    grad_x = np.empty(input_shape, dtype=grad_y.dtype)
    if _windows_2x2_inside(input_shape[2:], grad_y.shape[2:], kernel, stride, padding):
        parallel_loop(_avg_pool_2x2_backward, input_shape[0] * input_shape[1],
                      grad_x.size + grad_y.size, _as_planes(grad_y),
                      float(divisor_override or 4), _as_planes(grad_x))
        return grad_x
    parallel_loop(_avg_pool_backward, input_shape[0] * input_shape[1],
                  grad_x.size + grad_y.size * kernel[0] * kernel[1],
                  _as_planes(grad_y), *kernel, *stride, *padding, bool(count_include_pad),
                  int(divisor_override or 0), _as_planes(grad_x))
    return grad_x


@njit(cache=True, inline="always", error_model="numpy")
def _adaptive_range(o, in_size, out_size):
    """[⌊o·in/out⌋, ⌈(o+1)·in/out⌉)."""
    return (o * in_size) // out_size, -((-(o + 1) * in_size) // out_size)


@njit(nogil=True, cache=True, fastmath=FAST_SUMS, error_model="numpy")
def _adaptive_avg_pool_forward(x, y, start, stop):
    _, height, width = x.shape
    _, out_h, out_w = y.shape
    for p in range(start, stop):
        for oh in range(out_h):
            h_begin, h_end = _adaptive_range(oh, height, out_h)
            for ow in range(out_w):
                w_begin, w_end = _adaptive_range(ow, width, out_w)
                total = 0.0
                for h in range(h_begin, h_end):
                    row = x[p, h, w_begin:w_end]
                    for w in range(row.size):
                        total += row[w]
                y[p, oh, ow] = total / ((h_end - h_begin) * (w_end - w_begin))


@njit(nogil=True, cache=True, error_model="numpy")
def _adaptive_avg_pool_backward(grad_y, grad_x, start, stop):
    _, height, width = grad_x.shape
    _, out_h, out_w = grad_y.shape
    for p in range(start, stop):
        grad_x[p, :, :] = 0
        for oh in range(out_h):
            h_begin, h_end = _adaptive_range(oh, height, out_h)
            for ow in range(out_w):
                w_begin, w_end = _adaptive_range(ow, width, out_w)
                share = grad_y[p, oh, ow] / ((h_end - h_begin) * (w_end - w_begin))
                for h in range(h_begin, h_end):
                    row = grad_x[p, h, w_begin:w_end]
                    for w in range(row.size):
                        row[w] += share


def _single_row_planes(array, global_pool: bool):
    """(N·C, H, W) planes, or (N·C, 1, H·W) for global pooling: the mean of a plane is
    the mean of its values in one row, which the sum loop runs through contiguously."""
    planes = _as_planes(array)
    return planes.reshape(planes.shape[0], 1, -1) if global_pool else planes


def adaptive_avg_pool2d_forward(x, output_size):
    """Means over adaptive windows; ``output_size`` = (OH, OW)."""
    y = np.empty(x.shape[:2] + tuple(output_size), dtype=x.dtype)
    if tuple(output_size) == (1, 1):    # global: the mean of each plane, one plane a row
        planes, plane = x.shape[0] * x.shape[1], x.shape[2] * x.shape[3]
        row_totals(_as_planes(x).reshape(planes, plane), plane, out=y.reshape(-1))
        return y
    parallel_loop(_adaptive_avg_pool_forward, x.shape[0] * x.shape[1], x.size + y.size,
                  _as_planes(x), _as_planes(y))
    return y


def adaptive_avg_pool2d_backward(grad_y, input_shape):
    """Each window's gradient spread evenly over its cells."""
    global_pool = grad_y.shape[2:] == (1, 1)
    grad_x = np.empty(input_shape, dtype=grad_y.dtype)
    parallel_loop(_adaptive_avg_pool_backward, input_shape[0] * input_shape[1],
                  2 * grad_x.size,
                  _as_planes(grad_y), _single_row_planes(grad_x, global_pool))
    return grad_x
