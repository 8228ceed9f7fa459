"""Building blocks shared by the study models: a convolution (or transposed convolution)
followed by batch normalization and a ReLU (or leaky ReLU)."""
from __future__ import annotations

from minidl import nn


def activation(negative_slope: float = 0.0) -> nn.Module:
    """ReLU, or LeakyReLU(negative_slope) when the slope is not 0."""
    return nn.ReLU() if negative_slope == 0.0 else nn.LeakyReLU(negative_slope)


def conv_bn_relu(in_channels: int, out_channels: int, kernel_size: int = 3, stride: int = 1,
                 padding: int = 1, negative_slope: float = 0.0) -> nn.Sequential:
    """Conv2d -> BatchNorm2d -> ReLU: (N, in, H, W) -> (N, out, H', W') with PyTorch's
    output size floor((H + 2·padding - kernel_size) / stride) + 1."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, stride=stride, padding=padding),
        nn.BatchNorm2d(out_channels),
        activation(negative_slope),
    )


def deconv_bn_relu(in_channels: int, out_channels: int, kernel_size: int, stride: int,
                   padding: int, output_padding: int = 0) -> nn.Sequential:
    """ConvTranspose2d -> BatchNorm2d -> ReLU: (N, in, H, W) -> (N, out, H', W') with
    H' = (H - 1)·stride - 2·padding + kernel_size + output_padding."""
    return nn.Sequential(
        nn.ConvTranspose2d(in_channels, out_channels, kernel_size, stride=stride,
                           padding=padding, output_padding=output_padding),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(),
    )
