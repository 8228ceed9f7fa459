"""Batch normalization with Numba: the same contract as ``reference.batchnorm``.

x is viewed as (N, C, M).  The parallel loop runs over channels: iteration c owns
mean[c], var[c], y[:, c, :] (or grad_x[:, c, :], grad_weight[c], grad_bias[c]), so no two
iterations write the same element.  Sums run in float64 whatever the input's dtype, in two
passes (the mean first, then the squared deviations from it), which keeps the variance
accurate when the mean is large.  One channel's N·M values are read two or three times in
a row, so the later passes find them in cache.

The normalization itself is folded into one multiply-add per element:
    y = x · scale_c + shift_c,   scale_c = weight_c · invstd_c,   shift_c = bias_c - mean_c · scale_c
and the training-mode input gradient into two:
    dL/dx = α_c · g + β_c · x + γ_c   (α, β, γ expand the reference formula; see below).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .options import FAST_SUMS, threads_for

def _as_channels(x: np.ndarray) -> np.ndarray:
    """A C-contiguous (N, C, M) view (or copy) of (N, C, ...)."""
    return np.ascontiguousarray(x).reshape(x.shape[0], x.shape[1], -1)


def _or_constant(values, channels: int, dtype, constant: float) -> np.ndarray:
    """``values`` as a contiguous (C,) array; ``constant`` everywhere when it is None."""
    if values is None:
        return np.full(channels, constant, dtype=dtype)
    return np.ascontiguousarray(values)


@njit(parallel=True, cache=True, fastmath=FAST_SUMS)
def _statistics(x, mean, var):
    """mean[c] and biased var[c] of x[:, c, :]."""
    n_batch, channels, size = x.shape
    count = n_batch * size
    for c in prange(channels):
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


@njit(parallel=True, cache=True)
def _normalize(x, mean, var, weight, bias, eps, y):
    """y[:, c, :] = (x[:, c, :] - mean[c]) / √(var[c] + eps) · weight[c] + bias[c]."""
    n_batch, channels, size = x.shape
    for c in prange(channels):
        scale = weight[c] / math.sqrt(var[c] + eps)
        shift = bias[c] - mean[c] * scale
        for n in range(n_batch):
            for m in range(size):
                y[n, c, m] = x[n, c, m] * scale + shift


@njit(parallel=True, cache=True, fastmath=FAST_SUMS)
def _gradient_sums(grad_y, x, mean, var, eps, grad_weight, grad_bias):
    """grad_bias[c] = Σ g and grad_weight[c] = Σ g·x̂ over channel c."""
    n_batch, channels, size = x.shape
    for c in prange(channels):
        mu = mean[c]
        sum_g = 0.0
        sum_g_centred = 0.0
        for n in range(n_batch):
            for m in range(size):
                g = grad_y[n, c, m]
                sum_g += g
                sum_g_centred += g * (x[n, c, m] - mu)
        grad_bias[c] = sum_g
        grad_weight[c] = sum_g_centred / math.sqrt(var[c] + eps)


@njit(parallel=True, cache=True)
def _input_gradient(grad_y, x, mean, var, weight, eps, grad_weight, grad_bias, training,
                    grad_x):
    """grad_x[:, c, :] = α·g + β·x + γ.

    With k = weight·invstd and n = N·M values per channel, the training formula
        k · (g - Σg/n - x̂ · Σg·x̂/n),   x̂ = (x - mean)·invstd
    expands to α = k, β = -k·invstd·Σg·x̂/n, γ = -k·Σg/n - β·mean; in evaluation mode the
    statistics are constants and only α = k remains.
    """
    n_batch, channels, size = x.shape
    count = n_batch * size
    for c in prange(channels):
        invstd = 1.0 / math.sqrt(var[c] + eps)
        alpha = weight[c] * invstd
        beta = 0.0
        gamma = 0.0
        if training:
            beta = -alpha * invstd * grad_weight[c] / count
            gamma = -alpha * grad_bias[c] / count - beta * mean[c]
        for n in range(n_batch):
            for m in range(size):
                grad_x[n, c, m] = alpha * grad_y[n, c, m] + beta * x[n, c, m] + gamma


def batch_norm_forward_train(x, weight, bias, eps):
    """Normalize with the batch statistics; returns ``(y, mean, var)`` (var biased)."""
    xc = _as_channels(x)
    channels = xc.shape[1]
    mean = np.empty(channels, dtype=x.dtype)
    var = np.empty(channels, dtype=x.dtype)
    with threads_for(xc.size):
        _statistics(xc, mean, var)
    y = batch_norm_forward_eval(xc, mean, var, weight, bias, eps)
    return y.reshape(x.shape), mean, var


def batch_norm_forward_eval(x, running_mean, running_var, weight, bias, eps):
    """Normalize with given statistics (the running estimates in evaluation mode)."""
    xc = _as_channels(x)
    channels = xc.shape[1]
    y = np.empty_like(xc)
    with threads_for(xc.size):
        _normalize(xc, np.ascontiguousarray(running_mean), np.ascontiguousarray(running_var),
                   _or_constant(weight, channels, x.dtype, 1),
                   _or_constant(bias, channels, x.dtype, 0), float(eps), y)
    return y.reshape(x.shape)


def _backward(grad_y, x, mean, var, weight, eps, training):
    xc, gc = _as_channels(x), _as_channels(grad_y)
    channels = xc.shape[1]
    mean, var = np.ascontiguousarray(mean), np.ascontiguousarray(var)
    grad_weight = np.empty(channels, dtype=x.dtype)
    grad_bias = np.empty(channels, dtype=x.dtype)
    grad_x = np.empty_like(xc)
    with threads_for(xc.size):
        _gradient_sums(gc, xc, mean, var, float(eps), grad_weight, grad_bias)
        _input_gradient(gc, xc, mean, var, _or_constant(weight, channels, x.dtype, 1),
                        float(eps), grad_weight, grad_bias, training, grad_x)
    return grad_x.reshape(x.shape), grad_weight, grad_bias


def batch_norm_backward_train(grad_y, x, mean, var, weight, eps):
    """Gradients through training-mode batch norm: ``(grad_x, grad_weight, grad_bias)``."""
    return _backward(grad_y, x, mean, var, weight, eps, True)


def batch_norm_backward_eval(grad_y, x, running_mean, running_var, weight, eps):
    """Gradients through evaluation-mode batch norm: ``(grad_x, grad_weight, grad_bias)``."""
    return _backward(grad_y, x, running_mean, running_var, weight, eps, False)
