"""Batch normalization on the GPU: the contract of ``reference.batchnorm`` (the maths is
written there).

x (N, C, ...) is viewed as (N, C, M); channel c owns the count = N·M values x[:, c, :],
numbered j = n·M + m.  Each pass is one kernel launch:

Training forward (three launches):
1. ``partial_moments``: a grid of C × S blocks; block (c, s) takes the s-th slice of
   channel c's values (about ``ELEMENTS_PER_BLOCK`` of them) and computes the slice's mean
   and its sum of squared deviations M2 (two passes over the slice, the second from
   cache), summing in float64 over its threads with a shared-memory tree.  Splitting a
   channel over several blocks keeps the whole GPU busy even when C is small.
2. ``combine_moments``: one thread per channel merges its S slices in a fixed order with
   Chan's formula (exact, and stable when the mean is large):
       n = n_a + n_b,  δ = mean_b - mean_a,  mean = mean_a + δ·n_b/n,
       M2 = M2_a + M2_b + δ²·n_a·n_b/n,
   then var = M2 / count (biased), and folds the normalization into
       y = x · scale_c + shift_c,  scale_c = weight_c / √(var_c + eps),
       shift_c = bias_c - mean_c · scale_c.
3. ``normalize``: one thread per element, y = x · scale_c + shift_c.

Evaluation forward: ``eval_affine`` folds the running statistics the same way, then
``normalize``.

Backward (three launches, training and evaluation alike): ``partial_gradient_sums`` and
``combine_gradient_sums`` compute, per channel, Σg and Σg·(x - mean), hence
    dL/dbias = Σg,   dL/dweight = Σg·x̂ = invstd · Σg·(x - mean),
and the coefficients of  dL/dx = α_c·g + β_c·x + γ_c  with k = weight·invstd:
    training:   α = k,  β = -k·invstd²·Σg·(x - mean)/n,  γ = -k·Σg/n - β·mean
                (the reference's  k·(g - Σg/n - x̂·Σg·x̂/n)  expanded)
    evaluation: α = k,  β = γ = 0   (the statistics are constants)
then ``input_gradient`` applies them, one thread per element.

All sums and per-element arithmetic run in float64 whatever the dtype, as in the CPU
kernels; every value is written by one thread, so results are deterministic.
"""
from __future__ import annotations

import cupy

from .launch import compiled, contiguous, launch, launch_grid

ELEMENTS_PER_BLOCK = 4096
"""Values of one channel that one block of ``partial_*`` sums (16 per thread)."""

MAX_SLICES = 1024
"""Most blocks per channel (the combining thread loops over them)."""

SOURCE = r"""
// The sum of `value` over the threads of the block, returned to every thread.
// THREADS_PER_BLOCK is a power of two: halve the active threads until one sum is left.
__device__ double block_sum(double value) {
    __shared__ double partial[THREADS_PER_BLOCK];
    partial[threadIdx.x] = value;
    __syncthreads();
    for (unsigned int half = THREADS_PER_BLOCK / 2; half > 0; half /= 2) {
        if (threadIdx.x < half) partial[threadIdx.x] += partial[threadIdx.x + half];
        __syncthreads();
    }
    double total = partial[0];
    __syncthreads();  // every thread has read the total before `partial` is reused
    return total;
}

// Where value j = n·M + m of channel c lies in the (N, C, M) array.
__device__ long long value_index(long long j, long long c, long long channels,
                                 long long size) {
    return (j / size * channels + c) * size + j % size;
}

// Block (c, s): mean and M2 = Σ (x - mean)² of values [s·slice, (s+1)·slice) of channel c.
extern "C" __global__ void partial_moments(
        const scalar_t* x, long long channels, long long size, long long count,
        long long slice, double* part_mean, double* part_m2) {
    long long c = blockIdx.x, s = blockIdx.y;
    long long begin = s * slice, end = min(begin + slice, count);
    double total = 0;
    for (long long j = begin + threadIdx.x; j < end; j += THREADS_PER_BLOCK)
        total += (double)x[value_index(j, c, channels, size)];
    double mean = block_sum(total) / (double)(end - begin);
    double squares = 0;
    for (long long j = begin + threadIdx.x; j < end; j += THREADS_PER_BLOCK) {
        double deviation = (double)x[value_index(j, c, channels, size)] - mean;
        squares += deviation * deviation;
    }
    double m2 = block_sum(squares);
    if (threadIdx.x == 0) {
        part_mean[c * gridDim.y + s] = mean;
        part_m2[c * gridDim.y + s] = m2;
    }
}

// y = x·scale + shift  is  (x - mean)/√(var + eps)·weight + bias.
__device__ void fold_affine(long long c, double mean, double var, const scalar_t* weight,
                            const scalar_t* bias, double eps, double* scale, double* shift) {
    scale[c] = (double)weight[c] / sqrt(var + eps);
    shift[c] = (double)bias[c] - mean * scale[c];
}

// One thread per channel: merge the slices' moments (Chan et al.), in slice order.
extern "C" __global__ void combine_moments(
        const double* part_mean, const double* part_m2, const scalar_t* weight,
        const scalar_t* bias, double eps, long long channels, long long slices,
        long long slice, long long count, scalar_t* mean, scalar_t* var, double* scale,
        double* shift) {
    FOR_EACH_ITEM(c, channels) {
        double seen = 0, channel_mean = 0, m2 = 0;
        for (long long s = 0; s < slices; ++s) {
            double in_slice = (double)min(slice, count - s * slice);
            double delta = part_mean[c * slices + s] - channel_mean;
            double merged = seen + in_slice;
            channel_mean += delta * in_slice / merged;
            m2 += part_m2[c * slices + s] + delta * delta * seen * in_slice / merged;
            seen = merged;
        }
        double channel_var = m2 / (double)count;
        mean[c] = (scalar_t)channel_mean;
        var[c] = (scalar_t)channel_var;
        fold_affine(c, channel_mean, channel_var, weight, bias, eps, scale, shift);
    }
}

extern "C" __global__ void eval_affine(
        const scalar_t* mean, const scalar_t* var, const scalar_t* weight,
        const scalar_t* bias, double eps, long long channels, double* scale, double* shift) {
    FOR_EACH_ITEM(c, channels) {
        fold_affine(c, (double)mean[c], (double)var[c], weight, bias, eps, scale, shift);
    }
}

extern "C" __global__ void normalize(
        const scalar_t* x, const double* scale, const double* shift, long long channels,
        long long size, long long total, scalar_t* y) {
    FOR_EACH_ITEM(index, total) {
        long long c = index / size % channels;
        y[index] = (scalar_t)((double)x[index] * scale[c] + shift[c]);
    }
}

// Block (c, s): Σ g and Σ g·(x - mean_c) over values [s·slice, (s+1)·slice) of channel c.
extern "C" __global__ void partial_gradient_sums(
        const scalar_t* grad_y, const scalar_t* x, const scalar_t* mean, long long channels,
        long long size, long long count, long long slice, double* part_g,
        double* part_g_centred) {
    long long c = blockIdx.x, s = blockIdx.y;
    long long begin = s * slice, end = min(begin + slice, count);
    double channel_mean = (double)mean[c];
    double sum_g = 0, sum_g_centred = 0;
    for (long long j = begin + threadIdx.x; j < end; j += THREADS_PER_BLOCK) {
        long long i = value_index(j, c, channels, size);
        double g = (double)grad_y[i];
        sum_g += g;
        sum_g_centred += g * ((double)x[i] - channel_mean);
    }
    sum_g = block_sum(sum_g);
    sum_g_centred = block_sum(sum_g_centred);
    if (threadIdx.x == 0) {
        part_g[c * gridDim.y + s] = sum_g;
        part_g_centred[c * gridDim.y + s] = sum_g_centred;
    }
}

// One thread per channel: the parameter gradients and the coefficients of
// dL/dx = alpha·g + beta·x + gamma.
extern "C" __global__ void combine_gradient_sums(
        const double* part_g, const double* part_g_centred, const scalar_t* mean,
        const scalar_t* var, const scalar_t* weight, double eps, long long training,
        long long channels, long long slices, long long count, scalar_t* grad_weight,
        scalar_t* grad_bias, double* alpha, double* beta, double* gamma) {
    FOR_EACH_ITEM(c, channels) {
        double sum_g = 0, sum_g_centred = 0;
        for (long long s = 0; s < slices; ++s) {
            sum_g += part_g[c * slices + s];
            sum_g_centred += part_g_centred[c * slices + s];
        }
        double invstd = 1.0 / sqrt((double)var[c] + eps);
        grad_bias[c] = (scalar_t)sum_g;
        grad_weight[c] = (scalar_t)(sum_g_centred * invstd);
        alpha[c] = (double)weight[c] * invstd;
        beta[c] = training ? -alpha[c] * invstd * invstd * sum_g_centred / (double)count : 0.0;
        gamma[c] = training ? -alpha[c] * sum_g / (double)count - beta[c] * (double)mean[c]
                            : 0.0;
    }
}

extern "C" __global__ void input_gradient(
        const scalar_t* grad_y, const scalar_t* x, const double* alpha, const double* beta,
        const double* gamma, long long channels, long long size, long long total,
        scalar_t* grad_x) {
    FOR_EACH_ITEM(index, total) {
        long long c = index / size % channels;
        grad_x[index] = (scalar_t)(alpha[c] * (double)grad_y[index]
                                   + beta[c] * (double)x[index] + gamma[c]);
    }
}
"""


def _as_channels(x, dtype):
    """A C-contiguous (N, C, M) view (or copy) of (N, C, ...)."""
    return contiguous(x, dtype).reshape(x.shape[0], x.shape[1], -1)


def _or_constant(values, channels: int, dtype, constant: float):
    """``values`` as a contiguous (C,) array; ``constant`` everywhere when it is None."""
    if values is None:
        return cupy.full(channels, constant, dtype=dtype)
    return contiguous(values, dtype)


def _slices(count: int) -> tuple[int, int]:
    """(values per slice, number of slices) for a channel of ``count`` values."""
    size = max(ELEMENTS_PER_BLOCK, -(-count // MAX_SLICES))
    return size, -(-count // size)


def _doubles(channels: int, how_many: int):
    return [cupy.empty(channels, dtype=cupy.float64) for _ in range(how_many)]


def _normalize(xc, scale, shift):
    y = cupy.empty_like(xc)
    launch(compiled(SOURCE, "normalize", xc.dtype), y.size, xc, scale, shift, xc.shape[1],
           xc.shape[2], y.size, y)
    return y


def batch_norm_forward_train(x, weight, bias, eps):
    """Normalize with the batch statistics; returns ``(y, mean, var)`` (var biased)."""
    dtype = x.dtype
    xc = _as_channels(x, dtype)
    n, channels, size = xc.shape
    count = n * size
    slice_size, slices = _slices(count)
    part_mean = cupy.empty((channels, slices), dtype=cupy.float64)
    part_m2 = cupy.empty((channels, slices), dtype=cupy.float64)
    launch_grid(compiled(SOURCE, "partial_moments", dtype), (channels, slices), xc, channels,
                size, count, slice_size, part_mean, part_m2)
    mean, var = cupy.empty(channels, dtype=dtype), cupy.empty(channels, dtype=dtype)
    scale, shift = _doubles(channels, 2)
    launch(compiled(SOURCE, "combine_moments", dtype), channels, part_mean, part_m2,
           _or_constant(weight, channels, dtype, 1), _or_constant(bias, channels, dtype, 0),
           float(eps), channels, slices, slice_size, count, mean, var, scale, shift)
    return _normalize(xc, scale, shift).reshape(x.shape), mean, var


_UPDATE_RUNNING = cupy.ElementwiseKernel(
    "M mean, M var, float64 momentum, float64 correction", "R running_mean, R running_var",
    """running_mean = (R)((1 - momentum) * (double)running_mean + momentum * (double)mean);
    running_var = (R)((1 - momentum) * (double)running_var
                      + momentum * (double)var * correction);""",
    "minidl_batch_norm_update_running")


def batch_norm_update_running(running_mean, running_var, mean, var, momentum, count):
    """The reference's update of the running estimates, in place, in one launch."""
    _UPDATE_RUNNING(mean, var, float(momentum), count / (count - 1), running_mean, running_var)


def batch_norm_forward_eval(x, running_mean, running_var, weight, bias, eps):
    """Normalize with given statistics (the running estimates in evaluation mode)."""
    dtype = x.dtype
    xc = _as_channels(x, dtype)
    channels = xc.shape[1]
    scale, shift = _doubles(channels, 2)
    launch(compiled(SOURCE, "eval_affine", dtype), channels,
           contiguous(running_mean, dtype), contiguous(running_var, dtype),
           _or_constant(weight, channels, dtype, 1), _or_constant(bias, channels, dtype, 0),
           float(eps), channels, scale, shift)
    return _normalize(xc, scale, shift).reshape(x.shape)


def _gradients(grad_y, x, mean, var, weight, eps, training):
    dtype = x.dtype
    xc, gc = _as_channels(x, dtype), _as_channels(grad_y, dtype)
    n, channels, size = xc.shape
    count = n * size
    slice_size, slices = _slices(count)
    mean, var = contiguous(mean, dtype), contiguous(var, dtype)
    part_g = cupy.empty((channels, slices), dtype=cupy.float64)
    part_g_centred = cupy.empty((channels, slices), dtype=cupy.float64)
    launch_grid(compiled(SOURCE, "partial_gradient_sums", dtype), (channels, slices), gc, xc,
                mean, channels, size, count, slice_size, part_g, part_g_centred)
    grad_weight, grad_bias = cupy.empty(channels, dtype=dtype), cupy.empty(channels, dtype=dtype)
    alpha, beta, gamma = _doubles(channels, 3)
    launch(compiled(SOURCE, "combine_gradient_sums", dtype), channels, part_g, part_g_centred,
           mean, var, _or_constant(weight, channels, dtype, 1), float(eps), training, channels,
           slices, count, grad_weight, grad_bias, alpha, beta, gamma)
    grad_x = cupy.empty_like(xc)
    launch(compiled(SOURCE, "input_gradient", dtype), grad_x.size, gc, xc, alpha, beta, gamma,
           channels, size, grad_x.size, grad_x)
    return grad_x.reshape(x.shape), grad_weight, grad_bias


def batch_norm_backward_train(grad_y, x, mean, var, weight, eps):
    """Gradients through training-mode batch norm: ``(grad_x, grad_weight, grad_bias)``."""
    return _gradients(grad_y, x, mean, var, weight, eps, True)


def batch_norm_backward_eval(grad_y, x, running_mean, running_var, weight, eps):
    """Gradients through evaluation-mode batch norm: ``(grad_x, grad_weight, grad_bias)``."""
    return _gradients(grad_y, x, running_mean, running_var, weight, eps, False)
