"""Batch normalization over the union of every rank's batch (``nn.SyncBatchNorm``'s maths).

x is this rank's (n_r, C, ...) part of a batch spread over K ranks; m_r = n_r·(values per
channel) values per channel here, N = Σ_r m_r in all. The collectives come in as functions
on raw arrays, so this Function knows nothing of how ranks talk:
``all_gather(a) -> (K, *a.shape)`` and ``all_reduce(a)`` (sum, in place).

Forward. Each rank sends (m_r, its channel means μ_r, its sums of squared deviations
S_r = Σ (x - μ_r)²), in float64; every rank then combines them exactly as one process would
have from all N values (Chan et al.'s pairwise update, stable for data far from zero):

    μ = Σ_r m_r μ_r / N        σ² = Σ_r [S_r + m_r (μ_r - μ)²] / N     (biased)
    x̂ = (x - μ) / √(σ² + eps)  y = x̂ · weight + bias
    running_mean ← (1 - momentum)·running_mean + momentum·μ
    running_var  ← (1 - momentum)·running_var  + momentum·σ²·N/(N - 1)

Backward. With dy = dL/dy on this rank, the sums over the whole batch
A = Σ_all dy and B = Σ_all dy·x̂ come from one all_reduce of this rank's (Σ dy, Σ dy·x̂):

    dx = weight / √(σ² + eps) · (dy - A/N - x̂ · B/N)
    dweight = Σ_here dy·x̂,   dbias = Σ_here dy          (this rank's share)

Each rank's loss is its own mean, so DistributedDataParallel's average of the weight and
bias gradients over the ranks, and the parameters upstream of dx, come out as one process's
gradients of the mean loss over all N values.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..backend import array_module


def _channel_axes(x) -> tuple:
    return (0, *range(2, x.ndim))


def _per_channel(values, x):
    """(C,) -> broadcastable against x (1, C, 1, ...), in x's dtype."""
    return values.astype(x.dtype, copy=False).reshape((1, -1) + (1,) * (x.ndim - 2))


class SyncBatchNormTrain(Function):
    """y = (x - μ_all) / √(σ²_all + eps) · weight + bias with statistics of all ranks."""

    def forward(self, x, weight, bias, *, eps, momentum, running_mean, running_var,
                all_gather, all_reduce):
        xp = array_module(x)
        axes, channels = _channel_axes(x), x.shape[1]
        count = x.size // channels
        local_mean = x.mean(axis=axes, dtype=np.float64)
        deviations = x - _per_channel(local_mean, x)
        local_m2 = (deviations * deviations).sum(axis=axes, dtype=np.float64)
        stats = xp.concatenate([xp.asarray([count], dtype=np.float64), local_mean, local_m2])
        gathered = all_gather(stats)
        counts, means = gathered[:, :1], gathered[:, 1:channels + 1]
        total = float(counts.sum())
        if total <= 1:
            raise ValueError(f"SyncBatchNorm: expected more than 1 value per channel over all "
                             f"ranks when training, got {int(total)}")
        mean = (counts * means).sum(axis=0) / total
        m2 = (gathered[:, channels + 1:] + counts * (means - mean) ** 2).sum(axis=0)
        var = m2 / total
        invstd = 1.0 / xp.sqrt(var + eps)
        if running_mean is not None:
            running_mean *= 1 - momentum
            running_mean += (momentum * mean).astype(running_mean.dtype)
            running_var *= 1 - momentum
            running_var += (momentum * var * (total / (total - 1))).astype(running_var.dtype)
        x_hat = (x - _per_channel(mean, x)) * _per_channel(invstd, x)
        y = x_hat
        if weight is not None:
            y = y * _per_channel(xp.asarray(weight), x)
        if bias is not None:
            y = y + _per_channel(xp.asarray(bias), x)
        self.total, self.all_reduce = total, all_reduce
        self.save_for_backward(x_hat, invstd, weight)
        return y

    def backward(self, grad):
        x_hat, invstd, weight = self.saved_arrays
        xp = array_module(grad)
        axes = _channel_axes(grad)
        sum_dy = grad.sum(axis=axes, dtype=np.float64)
        sum_dy_xhat = (grad * x_hat).sum(axis=axes, dtype=np.float64)
        grad_x = None
        if self.needs_input_grad[0]:
            both = xp.concatenate([sum_dy, sum_dy_xhat])
            self.all_reduce(both)
            channels = sum_dy.size
            mean_dy, mean_dy_xhat = both[:channels] / self.total, both[channels:] / self.total
            scale = invstd if weight is None else invstd * xp.asarray(weight, dtype=np.float64)
            grad_x = _per_channel(scale, grad) * (grad - _per_channel(mean_dy, grad)
                                                  - x_hat * _per_channel(mean_dy_xhat, grad))
        grad_weight = sum_dy_xhat.astype(grad.dtype) if self.needs_input_grad[1] else None
        grad_bias = sum_dy.astype(grad.dtype) if self.needs_input_grad[2] else None
        return grad_x, grad_weight, grad_bias
