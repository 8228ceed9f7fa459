"""Max, average and adaptive average pooling on the GPU: the contract of
``reference.pooling`` (same arguments, same results; the maths is written there).

The input is viewed as P = N·C independent (H, W) planes.  Every kernel runs one thread
per element it writes:

- forward: one thread per output (p, oh, ow) walks its window.  Window bounds are clipped
  to the input instead of padding it: output row oh reads the rows h0 + i·dH with
  h0 = oh·sH - pH, kept while 0 <= row < H (likewise for columns).
- backward: one thread per *input* element gathers the gradient of every window that
  covers it, instead of each output scattering into its window (which would need atomic
  additions where windows overlap).  Along one axis, input row h lies under tap i of
  window oh when oh·sH - pH + i·dH = h: for each tap, at most one window, found by one
  exact division (likewise for columns).
"""
from __future__ import annotations

import cupy

from ..geometry import pool_output_shape
from .launch import compiled, contiguous, launch

SOURCE = r"""
// The first of start, start + step, start + 2·step, ... that is >= 0.
__device__ long long first_inside(long long start, long long step) {
    if (start >= 0) return start;
    long long remainder = start % step;                  // in (-step, 0]
    return remainder == 0 ? 0 : remainder + step;
}

// The output position o whose window's tap number `tap` lands on input position `at`,
// o·stride - pad + tap·dilation = at, or -1 when there is none.
__device__ long long window_with_tap(long long at, long long tap, long long stride,
                                     long long pad, long long dilation, long long out_size) {
    long long start = at + pad - tap * dilation;         // = o·stride
    if (start < 0 || start % stride != 0 || start / stride >= out_size) return -1;
    return start / stride;
}

// Scan each window in row-major order: `value > best || isnan(value)` keeps the first
// maximum and lets a NaN win, as PyTorch does.  `best` starts at the window's first tap
// inside the input, which is also the index reported for a window of -inf.
extern "C" __global__ void max_pool_forward(
        const scalar_t* x, long long planes, long long height, long long width,
        long long out_h, long long out_w, long long kernel_h, long long kernel_w,
        long long stride_h, long long stride_w, long long pad_h, long long pad_w,
        long long dilation_h, long long dilation_w, scalar_t* y, long long* indices) {
    FOR_EACH_ITEM(index, planes * out_h * out_w) {
        long long ow = index % out_w;
        long long oh = (index / out_w) % out_h;
        const scalar_t* plane = x + index / (out_h * out_w) * height * width;
        long long h0 = oh * stride_h - pad_h;
        long long w0 = ow * stride_w - pad_w;
        long long h_begin = first_inside(h0, dilation_h);
        long long w_begin = first_inside(w0, dilation_w);
        long long h_end = min(h0 + (kernel_h - 1) * dilation_h + 1, height);
        long long w_end = min(w0 + (kernel_w - 1) * dilation_w + 1, width);
        long long best_index = h_begin * width + w_begin;
        scalar_t best = plane[best_index];
        for (long long h = h_begin; h < h_end; h += dilation_h) {
            for (long long w = w_begin; w < w_end; w += dilation_w) {
                scalar_t value = plane[h * width + w];
                if (value > best || isnan(value)) {
                    best = value;
                    best_index = h * width + w;
                }
            }
        }
        y[index] = best;
        indices[index] = best_index;
    }
}

// grad_x[p, h, w] = Σ grad_y[p, oh, ow] over the windows (oh, ow) that cover (h, w) and
// whose maximum was this element (indices[p, oh, ow] = h·W + w).
extern "C" __global__ void max_pool_backward(
        const scalar_t* grad_y, const long long* indices, long long planes,
        long long height, long long width, long long out_h, long long out_w,
        long long kernel_h, long long kernel_w, long long stride_h, long long stride_w,
        long long pad_h, long long pad_w, long long dilation_h, long long dilation_w,
        scalar_t* grad_x) {
    FOR_EACH_ITEM(index, planes * height * width) {
        long long w = index % width;
        long long h = (index / width) % height;
        long long first_output = index / (height * width) * out_h * out_w;
        long long here = h * width + w;
        scalar_t total = 0;
        for (long long i = 0; i < kernel_h; ++i) {
            long long oh = window_with_tap(h, i, stride_h, pad_h, dilation_h, out_h);
            if (oh < 0) continue;
            for (long long j = 0; j < kernel_w; ++j) {
                long long ow = window_with_tap(w, j, stride_w, pad_w, dilation_w, out_w);
                if (ow < 0) continue;
                long long o = first_output + oh * out_w + ow;
                if (indices[o] == here) total += grad_y[o];
            }
        }
        grad_x[index] = total;
    }
}

// Window o along one axis: [begin, end) clipped to the input, and the cells its divisor
// counts: the window clipped to the padded input with count_include_pad, to the input
// otherwise.
struct AvgWindow { long long begin, end, counted; };

__device__ AvgWindow avg_window(long long o, long long stride, long long pad,
                                long long kernel, long long size, long long count_include_pad) {
    long long start = o * stride - pad;
    long long end = min(start + kernel, size + pad);
    AvgWindow window;
    window.begin = max(start, 0LL);
    window.end = min(end, size);
    window.counted = count_include_pad ? end - start : window.end - window.begin;
    return window;
}

// divisor_override 0 means "none" (a real override is never 0).
__device__ double avg_divisor(AvgWindow rows, AvgWindow columns, long long divisor_override) {
    return divisor_override != 0 ? (double)divisor_override
                                 : (double)(rows.counted * columns.counted);
}

extern "C" __global__ void avg_pool_forward(
        const scalar_t* x, long long planes, long long height, long long width,
        long long out_h, long long out_w, long long kernel_h, long long kernel_w,
        long long stride_h, long long stride_w, long long pad_h, long long pad_w,
        long long count_include_pad, long long divisor_override, scalar_t* y) {
    FOR_EACH_ITEM(index, planes * out_h * out_w) {
        long long ow = index % out_w;
        long long oh = (index / out_w) % out_h;
        const scalar_t* plane = x + index / (out_h * out_w) * height * width;
        AvgWindow rows = avg_window(oh, stride_h, pad_h, kernel_h, height, count_include_pad);
        AvgWindow columns = avg_window(ow, stride_w, pad_w, kernel_w, width, count_include_pad);
        double total = 0;
        for (long long h = rows.begin; h < rows.end; ++h)
            for (long long w = columns.begin; w < columns.end; ++w)
                total += plane[h * width + w];
        y[index] = (scalar_t)(total / avg_divisor(rows, columns, divisor_override));
    }
}

// grad_x[p, h, w] = Σ grad_y[p, oh, ow] / divisor(oh, ow) over the windows covering (h, w):
// along one axis those o with o·stride - pad <= h < o·stride - pad + kernel.
extern "C" __global__ void avg_pool_backward(
        const scalar_t* grad_y, long long planes, long long height, long long width,
        long long out_h, long long out_w, long long kernel_h, long long kernel_w,
        long long stride_h, long long stride_w, long long pad_h, long long pad_w,
        long long count_include_pad, long long divisor_override, scalar_t* grad_x) {
    FOR_EACH_ITEM(index, planes * height * width) {
        long long w = index % width;
        long long h = (index / width) % height;
        const scalar_t* gy = grad_y + index / (height * width) * out_h * out_w;
        double total = 0;
        for (long long i = 0; i < kernel_h; ++i) {
            long long oh = window_with_tap(h, i, stride_h, pad_h, 1, out_h);
            if (oh < 0) continue;
            AvgWindow rows = avg_window(oh, stride_h, pad_h, kernel_h, height,
                                        count_include_pad);
            for (long long j = 0; j < kernel_w; ++j) {
                long long ow = window_with_tap(w, j, stride_w, pad_w, 1, out_w);
                if (ow < 0) continue;
                AvgWindow columns = avg_window(ow, stride_w, pad_w, kernel_w, width,
                                               count_include_pad);
                total += gy[oh * out_w + ow] / avg_divisor(rows, columns, divisor_override);
            }
        }
        grad_x[index] = (scalar_t)total;
    }
}

// Adaptive windows along one axis: output o covers [⌊o·in/out⌋, ⌈(o+1)·in/out⌉).
__device__ long long adaptive_begin(long long o, long long in_size, long long out_size) {
    return o * in_size / out_size;
}

__device__ long long adaptive_end(long long o, long long in_size, long long out_size) {
    return ((o + 1) * in_size + out_size - 1) / out_size;
}

extern "C" __global__ void adaptive_avg_pool_forward(
        const scalar_t* x, long long planes, long long height, long long width,
        long long out_h, long long out_w, scalar_t* y) {
    FOR_EACH_ITEM(index, planes * out_h * out_w) {
        long long ow = index % out_w;
        long long oh = (index / out_w) % out_h;
        const scalar_t* plane = x + index / (out_h * out_w) * height * width;
        long long h_begin = adaptive_begin(oh, height, out_h);
        long long h_end = adaptive_end(oh, height, out_h);
        long long w_begin = adaptive_begin(ow, width, out_w);
        long long w_end = adaptive_end(ow, width, out_w);
        double total = 0;
        for (long long h = h_begin; h < h_end; ++h)
            for (long long w = w_begin; w < w_end; ++w)
                total += plane[h * width + w];
        y[index] = (scalar_t)(total / ((h_end - h_begin) * (w_end - w_begin)));
    }
}

// Input row h lies in the windows o with ⌊o·H/OH⌋ <= h < ⌈(o+1)·H/OH⌉, which are
// ⌊h·OH/H⌋ <= o < ⌈(h+1)·OH/H⌉: the same formulas with the two sizes swapped.
extern "C" __global__ void adaptive_avg_pool_backward(
        const scalar_t* grad_y, long long planes, long long height, long long width,
        long long out_h, long long out_w, scalar_t* grad_x) {
    FOR_EACH_ITEM(index, planes * height * width) {
        long long w = index % width;
        long long h = (index / width) % height;
        const scalar_t* gy = grad_y + index / (height * width) * out_h * out_w;
        double total = 0;
        for (long long oh = adaptive_begin(h, out_h, height);
             oh < adaptive_end(h, out_h, height); ++oh) {
            long long rows = adaptive_end(oh, height, out_h) - adaptive_begin(oh, height, out_h);
            for (long long ow = adaptive_begin(w, out_w, width);
                 ow < adaptive_end(w, out_w, width); ++ow) {
                long long columns = adaptive_end(ow, width, out_w)
                                    - adaptive_begin(ow, width, out_w);
                total += gy[oh * out_w + ow] / (double)(rows * columns);
            }
        }
        grad_x[index] = (scalar_t)total;
    }
}
"""


def _window_arguments(kernel, stride, padding):
    return (*kernel, *stride, *padding)


def max_pool2d_forward(x, kernel, stride, padding, dilation, ceil_mode):
    """``(y, indices)``: window maxima and their flat positions h·W + w in the input plane
    (int64, y's shape)."""
    n, c, height, width = x.shape
    out_shape = pool_output_shape(x.shape, kernel, stride, padding, dilation, ceil_mode)
    y = cupy.empty(out_shape, dtype=x.dtype)
    indices = cupy.empty(out_shape, dtype=cupy.int64)
    launch(compiled(SOURCE, "max_pool_forward", x.dtype), y.size, contiguous(x, x.dtype),
           n * c, height, width, *out_shape[2:], *_window_arguments(kernel, stride, padding),
           *dilation, y, indices)
    return y, indices


def max_pool2d_backward(grad_y, indices, input_shape, kernel, stride, padding, dilation):
    """Each input element gathers the gradient of the windows whose maximum it was."""
    n, c, height, width = input_shape
    grad_x = cupy.empty(input_shape, dtype=grad_y.dtype)
    launch(compiled(SOURCE, "max_pool_backward", grad_y.dtype), grad_x.size,
           contiguous(grad_y, grad_y.dtype), contiguous(indices, cupy.int64), n * c, height,
           width, *grad_y.shape[2:], *_window_arguments(kernel, stride, padding), *dilation,
           grad_x)
    return grad_x


def avg_pool2d_forward(x, kernel, stride, padding, ceil_mode, count_include_pad,
                       divisor_override):
    """Window sums (padding counts as 0) divided as PyTorch divides them."""
    n, c, height, width = x.shape
    out_shape = pool_output_shape(x.shape, kernel, stride, padding, (1, 1), ceil_mode)
    y = cupy.empty(out_shape, dtype=x.dtype)
    launch(compiled(SOURCE, "avg_pool_forward", x.dtype), y.size, contiguous(x, x.dtype),
           n * c, height, width, *out_shape[2:], *_window_arguments(kernel, stride, padding),
           bool(count_include_pad), int(divisor_override or 0), y)
    return y


def avg_pool2d_backward(grad_y, input_shape, kernel, stride, padding, ceil_mode,
                        count_include_pad, divisor_override):
    """Each input element gathers grad_y / divisor from every window that covers it."""
    n, c, height, width = input_shape
    grad_x = cupy.empty(input_shape, dtype=grad_y.dtype)
    launch(compiled(SOURCE, "avg_pool_backward", grad_y.dtype), grad_x.size,
           contiguous(grad_y, grad_y.dtype), n * c, height, width, *grad_y.shape[2:],
           *_window_arguments(kernel, stride, padding), bool(count_include_pad),
           int(divisor_override or 0), grad_x)
    return grad_x


def adaptive_avg_pool2d_forward(x, output_size):
    """Means over adaptive windows; ``output_size`` = (OH, OW)."""
    n, c, height, width = x.shape
    y = cupy.empty((n, c, *output_size), dtype=x.dtype)
    launch(compiled(SOURCE, "adaptive_avg_pool_forward", x.dtype), y.size,
           contiguous(x, x.dtype), n * c, height, width, *output_size, y)
    return y


def adaptive_avg_pool2d_backward(grad_y, input_shape):
    """Each input element gathers its share of the gradient of every window covering it."""
    n, c, height, width = input_shape
    grad_x = cupy.empty(input_shape, dtype=grad_y.dtype)
    launch(compiled(SOURCE, "adaptive_avg_pool_backward", grad_y.dtype), grad_x.size,
           contiguous(grad_y, grad_y.dtype), n * c, height, width, *grad_y.shape[2:], grad_x)
    return grad_x
