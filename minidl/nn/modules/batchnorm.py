"""Batch normalization layers: learnable per-channel scale and shift, and running
estimates of the mean and variance for evaluation mode."""
from __future__ import annotations

import numpy as np

from ... import creation
from .. import functional as F
from ..parameter import Parameter
from .module import Module


class _BatchNorm(Module):
    """Shared by BatchNorm1d and BatchNorm2d; they differ only in the input shapes they take.

    In training mode (``train()``) each batch is normalized with its own statistics, and
    (with ``track_running_stats``) the running estimates move towards them by
    ``momentum`` — or, with ``momentum=None``, become the plain average over all batches
    seen so far (factor 1/num_batches_tracked).  In evaluation mode the running estimates
    are used.  ``affine`` adds the learnable weight (ones) and bias (zeros).
    """

    expected_dims: tuple[int, ...] = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device=None,
                 dtype=None):
        super().__init__()
        name = type(self).__name__
        if not isinstance(num_features, int) or num_features <= 0:
            raise ValueError(f"{name}: num_features must be a positive int, got "
                             f"{num_features!r}")
        if momentum is not None and not 0 <= momentum <= 1:
            raise ValueError(f"{name}: momentum must be in [0, 1] or None, got {momentum!r}")
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = Parameter(creation.ones(num_features, dtype=dtype))
            self.bias = Parameter(creation.zeros(num_features, dtype=dtype))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", creation.zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", creation.ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", creation.tensor(0, dtype=np.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        if device is not None:
            self.to(device)

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batches seen."""
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            self.weight.array[...] = 1
            self.bias.array[...] = 0

    def _check_input(self, input) -> None:
        name = type(self).__name__
        if input.ndim not in self.expected_dims:
            expected = " or ".join(f"{d}D" for d in self.expected_dims)
            raise ValueError(f"{name}: expected {expected} input (got {input.ndim}D input of "
                             f"shape {input.shape})")
        if input.shape[1] != self.num_features:
            raise ValueError(f"{name}: input has {input.shape[1]} channels (shape "
                             f"{input.shape}), the layer expects num_features="
                             f"{self.num_features}")

    def _momentum_factor(self) -> float:
        """The weight of this batch in the running estimates; counts the batch (training)."""
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.array += 1
            if self.momentum is None:
                factor = 1.0 / int(self.num_batches_tracked.item())
        return factor

    def forward(self, input):
        self._check_input(input)
        factor = self._momentum_factor()
        # Batch statistics in training, and whenever there are no running estimates.
        use_batch_stats = self.training or self.running_mean is None
        keep_running = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if keep_running else None,
                            self.running_var if keep_running else None, self.weight,
                            self.bias, use_batch_stats, factor, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch norm over (N, C) features or (N, C, L) sequences, per channel C."""

    expected_dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch norm over (N, C, H, W) images, per channel C (statistics over N, H and W)."""

    expected_dims = (4,)
