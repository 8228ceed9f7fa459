"""torchvision's ``Conv2dNormActivation`` (``torchvision.ops.misc``): the conv -> norm ->
activation unit of MobileNet-style networks, as a Sequential so its children are named
``0`` (Conv2d), ``1`` (norm) and ``2`` (activation), as in torchvision's state_dict keys.
"""
from __future__ import annotations

from typing import Callable

from minidl import nn


class Conv2dNormActivation(nn.Sequential):
    """Conv2d padded to keep the size at stride 1 (``(kernel_size - 1) // 2 * dilation``),
    then ``norm_layer`` and ``activation_layer`` (either None to leave it out); the conv has a
    bias only when there is no norm, unless ``bias`` says otherwise."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3,
                 stride: int = 1, padding: int | None = None, groups: int = 1,
                 norm_layer: Callable[[int], nn.Module] | None = nn.BatchNorm2d,
                 activation_layer: Callable[..., nn.Module] | None = nn.ReLU,
                 dilation: int = 1, inplace: bool | None = True,
                 bias: bool | None = None) -> None:
        if padding is None:
            padding = (kernel_size - 1) // 2 * dilation
        if bias is None:
            bias = norm_layer is None
        layers: list[nn.Module] = [
            nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding,
                      dilation=dilation, groups=groups, bias=bias)]
        if norm_layer is not None:
            layers.append(norm_layer(out_channels))
        if activation_layer is not None:
            params = {} if inplace is None else {"inplace": inplace}
            layers.append(activation_layer(**params))
        super().__init__(*layers)
        self.out_channels = out_channels
