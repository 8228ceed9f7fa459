"""Instance normalization layers: each channel of each sample normalized on its own (the
normalization of style transfer and many image-to-image generators)."""
from __future__ import annotations

from .. import functional as F
from .batchnorm import _BatchNorm


class _InstanceNorm(_BatchNorm):
    """Shared by InstanceNorm1d and InstanceNorm2d.  Parameters and running estimates are
    made as for batch norm, but by default there are neither (``affine=False``,
    ``track_running_stats=False``, PyTorch's defaults).  Statistics come from each sample
    in training mode, and in evaluation mode too unless running estimates are tracked."""

    batched_dims = 0

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1,
                 affine: bool = False, track_running_stats: bool = False, device=None,
                 dtype=None):
        super().__init__(num_features, eps, momentum, affine, track_running_stats,
                         device=device, dtype=dtype)

    def forward(self, input):
        name = type(self).__name__
        if input.ndim not in (self.batched_dims - 1, self.batched_dims):
            raise ValueError(f"{name}: expected {self.batched_dims - 1}D (unbatched) or "
                             f"{self.batched_dims}D input, got {input.ndim}D input of shape "
                             f"{input.shape}")
        batched = input if input.ndim == self.batched_dims else input.unsqueeze(0)
        if batched.shape[1] != self.num_features and (self.affine
                                                      or self.track_running_stats):
            raise ValueError(f"{name}: input has {batched.shape[1]} channels (shape "
                             f"{input.shape}), the layer expects num_features="
                             f"{self.num_features}")
        use_input_stats = self.training or not self.track_running_stats
        output = F.instance_norm(batched, self.running_mean, self.running_var, self.weight,
                                 self.bias, use_input_stats, self.momentum, self.eps)
        return output if input.ndim == self.batched_dims else output.squeeze(0)


class InstanceNorm1d(_InstanceNorm):
    """Instance norm of (N, C, L) sequences (or one (C, L) sequence), per channel."""

    batched_dims = 3


class InstanceNorm2d(_InstanceNorm):
    """Instance norm of (N, C, H, W) images (or one (C, H, W) image), per channel."""

    batched_dims = 4
