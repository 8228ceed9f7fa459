"""Batch normalization, written to be read (the oracle of the fast kernels).

Shapes: ``x`` is (N, C, ...) — (N, C) for BatchNorm1d on features, (N, C, L) on sequences,
(N, C, H, W) for BatchNorm2d.  Every kernel views it as (N, C, M) with M the product of the
trailing sizes, so one channel c owns the n = N·M numbers x[:, c, :].

Per channel c, with the batch statistics (training) or the running ones (evaluation):

    mean_c   = (1/n) Σ x                      (over the N·M values of channel c)
    var_c    = (1/n) Σ (x - mean_c)²          (biased: divide by n, not n - 1)
    invstd_c = 1 / √(var_c + eps)
    x̂        = (x - mean_c) · invstd_c        (zero mean, unit variance)
    y        = weight_c · x̂ + bias_c

``weight`` and ``bias`` are (C,) arrays or ``None`` (then 1 and 0: no affine transform).

Backward, given g = dL/dy:

    dL/dbias_c   = Σ g
    dL/dweight_c = Σ g · x̂
    evaluation (mean and var are constants):   dL/dx = g · weight_c · invstd_c
    training (mean and var depend on every x of the channel, which adds two terms):
        dL/dx = weight_c · invstd_c · (g - (1/n) Σ g - x̂ · (1/n) Σ g · x̂)
"""
from __future__ import annotations

import numpy as np


def _as_channels(x: np.ndarray) -> np.ndarray:
    """View (N, C, ...) as (N, C, M)."""
    return x.reshape(x.shape[0], x.shape[1], -1)


def _per_channel(values, x: np.ndarray, default: float) -> np.ndarray:
    """A (C,) array — ``default`` everywhere when ``values`` is None — shaped (1, C, 1)."""
    if values is None:
        values = np.full(x.shape[1], default, dtype=x.dtype)
    return values.reshape(1, -1, 1)


def batch_norm_forward_train(x, weight, bias, eps):
    """Normalize with the batch statistics.

    Returns ``(y, mean, var)``: y has x's shape; mean and var are (C,), var is the biased
    variance (the caller derives the unbiased one for the running estimate).
    """
    xc = _as_channels(x)
    mean = xc.mean(axis=(0, 2))
    var = ((xc - mean.reshape(1, -1, 1)) ** 2).mean(axis=(0, 2))
    y = batch_norm_forward_eval(x, mean, var, weight, bias, eps)
    return y, mean, var


def batch_norm_update_running(running_mean, running_var, mean, var, momentum, count):
    """The running estimates after one training batch, in place, as PyTorch updates them:
        running_mean ← (1 - momentum)·running_mean + momentum·mean
        running_var  ← (1 - momentum)·running_var  + momentum·var·count/(count - 1)
    (var is the batch's biased variance of ``count`` values a channel; the running one is
    unbiased).  All (C,)."""
    running_mean *= 1 - momentum
    running_mean += momentum * mean
    running_var *= 1 - momentum
    running_var += momentum * var * (count / (count - 1))


def batch_norm_forward_eval(x, running_mean, running_var, weight, bias, eps):
    """Normalize with given statistics (the running estimates in evaluation mode)."""
    xc = _as_channels(x)
    invstd = 1 / np.sqrt(running_var + eps)
    x_hat = (xc - running_mean.reshape(1, -1, 1)) * invstd.reshape(1, -1, 1)
    y = _per_channel(weight, x, 1) * x_hat + _per_channel(bias, x, 0)
    return y.astype(x.dtype, copy=False).reshape(x.shape)


def _weight_and_bias_grads(g, x_hat):
    """dL/dweight = Σ g·x̂ and dL/dbias = Σ g over the batch and positions: two (C,)."""
    return (g * x_hat).sum(axis=(0, 2)), g.sum(axis=(0, 2))


def batch_norm_backward_train(grad_y, x, mean, var, weight, eps):
    """Gradients through training-mode batch norm: ``(grad_x, grad_weight, grad_bias)``.

    ``mean`` and ``var`` are the batch statistics returned by the forward pass.
    """
    g, xc = _as_channels(grad_y), _as_channels(x)
    count = xc.shape[0] * xc.shape[2]
    invstd = (1 / np.sqrt(var + eps)).reshape(1, -1, 1)
    x_hat = (xc - mean.reshape(1, -1, 1)) * invstd
    grad_weight, grad_bias = _weight_and_bias_grads(g, x_hat)
    mean_g = grad_bias.reshape(1, -1, 1) / count
    mean_g_x_hat = grad_weight.reshape(1, -1, 1) / count
    grad_x = _per_channel(weight, x, 1) * invstd * (g - mean_g - x_hat * mean_g_x_hat)
    return grad_x.astype(x.dtype, copy=False).reshape(x.shape), grad_weight, grad_bias


def batch_norm_backward_eval(grad_y, x, running_mean, running_var, weight, eps):
    """Gradients through evaluation-mode batch norm: ``(grad_x, grad_weight, grad_bias)``."""
    g, xc = _as_channels(grad_y), _as_channels(x)
    invstd = (1 / np.sqrt(running_var + eps)).reshape(1, -1, 1)
    x_hat = (xc - running_mean.reshape(1, -1, 1)) * invstd
    grad_weight, grad_bias = _weight_and_bias_grads(g, x_hat)
    grad_x = _per_channel(weight, x, 1) * invstd * g
    return grad_x.astype(x.dtype, copy=False).reshape(x.shape), grad_weight, grad_bias
