"""Batch normalization with Numba: the same contract as ``reference.batchnorm``.

x is viewed as (N, C, M).  The parallel loop runs over channels: iteration c owns
mean[c], var[c], y[:, c, :] (or grad_x[:, c, :], grad_weight[c], grad_bias[c]), so no two
iterations write the same element.  Each iteration makes all its passes over one channel's
N·M values in a row (statistics, then normalization; or sums, then input gradient), so
the later passes find the values in cache.  Sums run in float64 whatever the input's dtype,
and the variance takes two passes (the mean first, then the squared deviations from it),
which keeps it accurate when the mean is large.

The normalization is folded into one multiply-add per element:
    y = x · scale_c + shift_c,   scale_c = weight_c · invstd_c,   shift_c = bias_c - mean_c · scale_c
and the training-mode input gradient into two:
    dL/dx = α_c · g + β_c · x + γ_c   (α, β, γ expand the reference formula; see below).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..reference.batchnorm import batch_norm_update_running  # noqa: F401  (C values: NumPy)
from .options import FAST_SUMS
from .workers import parallel_loop


def _as_channels(x: np.ndarray) -> np.ndarray:
    """A C-contiguous (N, C, M) view (or copy) of (N, C, ...)."""
    return np.ascontiguousarray(x).reshape(x.shape[0], x.shape[1], -1)


def _or_constant(values, channels: int, dtype, constant: float) -> np.ndarray:
    """``values`` as a contiguous (C,) array; ``constant`` everywhere when it is None."""
    if values is None:
        return np.full(channels, constant, dtype=dtype)
    return np.ascontiguousarray(values)


@njit(cache=True, inline="always", error_model="numpy")
def _normalize_channel(x, c, mean, var, weight, bias, eps, y):
    """y[:, c, :] = (x[:, c, :] - mean) / √(var + eps) · weight + bias."""
    n_batch, _, size = x.shape
    scale = weight / math.sqrt(var + eps)
    shift = bias - mean * scale
    for n in range(n_batch):
        for m in range(size):
            y[n, c, m] = x[n, c, m] * scale + shift


@njit(nogil=True, cache=True, fastmath=FAST_SUMS, error_model="numpy")
def _forward_train(x, weight, bias, eps, y, mean, var, start, stop):
    """Batch statistics of each channel (mean, biased variance), then normalize it."""
    n_batch, _, size = x.shape
    count = n_batch * size
    for c in range(start, stop):
        total = 0.0
        for n in range(n_batch):
            for m in range(size):
                total += x[n, c, m]
        mu = total / count
        squares = 0.0
        for n in range(n_batch):
            for m in range(size):
                d = x[n, c, m] - mu
                squares += d * d
        mean[c] = mu
        var[c] = squares / count
        _normalize_channel(x, c, mu, squares / count, weight[c], bias[c], eps, y)


@njit(nogil=True, cache=True, error_model="numpy")
def _forward_eval(x, mean, var, weight, bias, eps, y, start, stop):
    for c in range(start, stop):
        _normalize_channel(x, c, mean[c], var[c], weight[c], bias[c], eps, y)


@njit(nogil=True, cache=True, fastmath=FAST_SUMS, error_model="numpy")
def _backward(grad_y, x, mean, var, weight, eps, training, grad_x, grad_weight, grad_bias,
              start, stop):
    """grad_bias[c] = Σ g,  grad_weight[c] = Σ g·x̂,  grad_x[:, c, :] = α·g + β·x + γ.

    With k = weight·invstd and n = N·M values per channel, the training formula
        k · (g - Σg/n - x̂ · Σg·x̂/n),   x̂ = (x - mean)·invstd
    expands to α = k, β = -k·invstd·Σg·x̂/n, γ = -k·Σg/n - β·mean, so the sums come
    first.  In evaluation mode the statistics are constants and only α = k remains: the
    sums and grad_x are computed in the same pass.
    """
    n_batch, _, size = x.shape
    count = n_batch * size
    for c in range(start, stop):
        mu = mean[c]
        invstd = 1.0 / math.sqrt(var[c] + eps)
        alpha = weight[c] * invstd
        sum_g = 0.0
        sum_g_centred = 0.0
        if training:
            for n in range(n_batch):
                for m in range(size):
                    g = grad_y[n, c, m]
                    sum_g += g
                    sum_g_centred += g * (x[n, c, m] - mu)
            beta = -alpha * invstd * invstd * sum_g_centred / count
            gamma = -alpha * sum_g / count - beta * mu
            for n in range(n_batch):
                for m in range(size):
                    grad_x[n, c, m] = alpha * grad_y[n, c, m] + beta * x[n, c, m] + gamma
        else:
            for n in range(n_batch):
                for m in range(size):
                    g = grad_y[n, c, m]
                    sum_g += g
                    sum_g_centred += g * (x[n, c, m] - mu)
                    grad_x[n, c, m] = alpha * g
        grad_bias[c] = sum_g
        grad_weight[c] = sum_g_centred * invstd


def batch_norm_forward_train(x, weight, bias, eps):
    """Normalize with the batch statistics; returns ``(y, mean, var)`` (var biased)."""
    xc = _as_channels(x)
    channels = xc.shape[1]
    y = np.empty_like(xc)
    mean = np.empty(channels, dtype=x.dtype)
    var = np.empty(channels, dtype=x.dtype)
    parallel_loop(_forward_train, channels, 4 * xc.size, xc,
                  _or_constant(weight, channels, x.dtype, 1),
                  _or_constant(bias, channels, x.dtype, 0), float(eps), y, mean, var)
    return y.reshape(x.shape), mean, var


def batch_norm_forward_eval(x, running_mean, running_var, weight, bias, eps):
    """Normalize with given statistics (the running estimates in evaluation mode)."""
    xc = _as_channels(x)
    channels = xc.shape[1]
    y = np.empty_like(xc)
    parallel_loop(_forward_eval, channels, 2 * xc.size, xc, np.ascontiguousarray(running_mean),
                  np.ascontiguousarray(running_var), _or_constant(weight, channels, x.dtype, 1),
                  _or_constant(bias, channels, x.dtype, 0), float(eps), y)
    return y.reshape(x.shape)


def _gradients(grad_y, x, mean, var, weight, eps, training):
    xc, gc = _as_channels(x), _as_channels(grad_y)
    channels = xc.shape[1]
    grad_x = np.empty_like(xc)
    grad_weight = np.empty(channels, dtype=x.dtype)
    grad_bias = np.empty(channels, dtype=x.dtype)
    parallel_loop(_backward, channels, 5 * xc.size, gc, xc, np.ascontiguousarray(mean),
                  np.ascontiguousarray(var), _or_constant(weight, channels, x.dtype, 1),
                  float(eps), training, grad_x, grad_weight, grad_bias)
    return grad_x.reshape(x.shape), grad_weight, grad_bias


def batch_norm_backward_train(grad_y, x, mean, var, weight, eps):
    """Gradients through training-mode batch norm: ``(grad_x, grad_weight, grad_bias)``."""
    return _gradients(grad_y, x, mean, var, weight, eps, True)


def batch_norm_backward_eval(grad_y, x, running_mean, running_var, weight, eps):
    """Gradients through evaluation-mode batch norm: ``(grad_x, grad_weight, grad_bias)``."""
    return _gradients(grad_y, x, running_mean, running_var, weight, eps, False)
