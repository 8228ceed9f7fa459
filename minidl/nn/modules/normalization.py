"""Group and layer normalization layers: statistics of each sample on its own, so they
behave the same in training and evaluation and for any batch size."""
from __future__ import annotations

from ... import creation
from .. import functional as F
from ..functional.normalization import normalized_shape_tuple
from ..parameter import Parameter
from .module import Module


def _affine_parameters(module: Module, shape: tuple, affine: bool, bias: bool, device,
                       dtype) -> None:
    """The learnable scale (ones) and shift (zeros) of ``shape``; without ``affine``
    neither, without ``bias`` no shift (registered as None, as PyTorch)."""
    module.register_parameter("weight", Parameter(creation.ones(*shape, dtype=dtype))
                              if affine else None)
    module.register_parameter("bias", Parameter(creation.zeros(*shape, dtype=dtype))
                              if affine and bias else None)
    if device is not None:
        module.to(device)


def _reset_affine(weight: Parameter | None, bias: Parameter | None) -> None:
    """PyTorch's initial scale and shift: weight 1, bias 0."""
    if weight is not None:
        weight.array[...] = 1
    if bias is not None:
        bias.array[...] = 0


class GroupNorm(Module):
    """``F.group_norm``: the C = ``num_channels`` channels of (N, C, ...) split into
    ``num_groups`` groups, each normalized per sample; with ``affine``, a learnable
    per-channel weight (ones) and, unless ``bias=False``, bias (zeros), both (C,)."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, bias: bool = True, device=None, dtype=None):
        super().__init__()
        for label, value in (("num_groups", num_groups), ("num_channels", num_channels)):
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"GroupNorm: {label} must be a positive int, got {value!r}")
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by "
                             f"num_groups ({num_groups})")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _affine_parameters(self, (num_channels,), affine, bias, device, dtype)

    def reset_parameters(self) -> None:
        _reset_affine(self.weight, self.bias)

    def forward(self, input):
        if input.ndim >= 2 and input.shape[1] != self.num_channels:
            raise ValueError(f"GroupNorm: input has {input.shape[1]} channels (shape "
                             f"{input.shape}), the layer expects num_channels="
                             f"{self.num_channels}")
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, "
                f"affine={self.affine}, bias={self.bias is not None}")


class LayerNorm(Module):
    """``F.layer_norm``: each sample normalized over its trailing dimensions, which must
    equal ``normalized_shape``; with ``elementwise_affine``, a learnable weight (ones) and,
    unless ``bias=False``, a bias (zeros), both of shape ``normalized_shape``."""

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device=None, dtype=None):
        super().__init__()
        self.normalized_shape = normalized_shape_tuple("LayerNorm", normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _affine_parameters(self, self.normalized_shape, elementwise_affine, bias, device,
                           dtype)

    def reset_parameters(self) -> None:
        _reset_affine(self.weight, self.bias)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")
