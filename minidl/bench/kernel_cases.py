"""The kernel benchmark's cases: layer shapes taken from the five studies (STUDIES.md).

A case names a function that ``minidl.nn.functional`` and ``torch.nn.functional`` both
have, its array arguments (shape, and whether it needs a gradient: a network's first layer
needs none for its input) and its keyword options.  Both engines get the same numbers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import numpy as np

GPU_BATCH = 64
"""Every case's batch size on the GPU (the studies' batch size; smaller batches would
leave most of the GPU idle and time launch overheads)."""


@dataclass(frozen=True)
class Array:
    """An array argument: its shape, whether a gradient flows to it, and its values
    ("normal": standard normal; "positive": uniform in [0.5, 1.5], for variances)."""

    shape: tuple
    grad: bool = False
    values: str = "normal"

    def sample(self, rng: np.random.Generator, dtype) -> np.ndarray:
        if self.values == "positive":
            return rng.uniform(0.5, 1.5, self.shape).astype(dtype)
        return rng.standard_normal(self.shape).astype(dtype)


@dataclass(frozen=True)
class Case:
    name: str
    study: str
    function: str                      # the name in minidl/torch .nn.functional
    arrays: tuple                      # positional Array arguments
    options: dict = field(default_factory=dict)

    def forward_flops(self) -> int | None:
        """Multiply-adds x 2 of a convolution's forward pass (None for other kernels)."""
        if self.function == "conv2d":
            x, w = self.arrays[0].shape, self.arrays[1].shape
            out_hw = [(size + 2 * self.options.get("padding", 0) - kernel)
                      // self.options.get("stride", 1) + 1
                      for size, kernel in zip(x[2:], w[2:])]
            return 2 * x[0] * w[0] * out_hw[0] * out_hw[1] * w[1] * w[2] * w[3]
        if self.function == "conv_transpose2d":
            x, w = self.arrays[0].shape, self.arrays[1].shape
            return 2 * int(np.prod(x)) * w[1] * w[2] * w[3]
        return None

    def backward_flops(self) -> int | None:
        """A convolution's backward: the weight gradient, plus the input gradient if needed;
        each costs as much as the forward pass."""
        flops = self.forward_flops()
        return None if flops is None else flops * (1 + int(self.arrays[0].grad))

    def with_batch(self, batch: int) -> Case:
        """The same case on ``batch`` images: the first array's leading size changes (the
        other arrays are weights and per-channel values), and the name's " b<N>"."""
        first = replace(self.arrays[0], shape=(batch, *self.arrays[0].shape[1:]))
        return replace(self, name=re.sub(r" b\d+$", f" b{batch}", self.name),
                       arrays=(first, *self.arrays[1:]))

    @property
    def large_channels(self) -> bool:
        """A convolution with at least 256 channels on both sides (GEMM-bound)."""
        if self.forward_flops() is None:
            return False
        w = self.arrays[1].shape
        return min(w[0], w[1] * self.options.get("groups", 1)) >= 256


def conv(name, study, x, w, stride=1, padding=0, input_grad=True):
    return Case(name, study, "conv2d",
                (Array(x, input_grad), Array(w, True), Array(w[:1], True)),
                {"stride": stride, "padding": padding})


def conv_transpose(name, study, x, w, stride, padding):
    return Case(name, study, "conv_transpose2d",
                (Array(x, True), Array(w, True), Array(w[1:2], True)),
                {"stride": stride, "padding": padding})


def batch_norm(name, study, x):
    channels = (x[1],)
    return Case(name, study, "batch_norm",
                (Array(x, True), Array(channels), Array(channels, values="positive"),
                 Array(channels, True), Array(channels, True)), {"training": True})


def one_input(name, study, function, x, **options):
    return Case(name, study, function, (Array(x, True),), options)


CASES = [
    # 1-3 channel first layers (no input gradient) on 28x28, 84x84 and 128x128 images
    conv("conv 1->32 3x3 28x28 b64", "colorized-mnist (grayscale)", (64, 1, 28, 28),
         (32, 1, 3, 3), padding=1, input_grad=False),
    conv("conv 3->32 3x3 28x28 b64", "colorized-mnist", (64, 3, 28, 28), (32, 3, 3, 3),
         padding=1, input_grad=False),
    conv("conv 1->32 3x3 84x84 b64", "multidigit-mnist", (64, 1, 84, 84), (32, 1, 3, 3),
         padding=1, input_grad=False),
    conv("conv 1->64 3x3/2 128x128 b16", "iizuka low-level 1", (16, 1, 128, 128),
         (64, 1, 3, 3), stride=2, padding=1, input_grad=False),
    conv("conv 1->64 3x3 128x128 b16", "lab-colorize", (16, 1, 128, 128), (64, 1, 3, 3),
         padding=1, input_grad=False),
    # middle layers
    conv("conv 32->64 3x3 14x14 b64", "colorized-mnist", (64, 32, 14, 14), (64, 32, 3, 3),
         padding=1),
    conv("conv 32->64 3x3 42x42 b64", "multidigit-mnist", (64, 32, 42, 42), (64, 32, 3, 3),
         padding=1),
    conv("conv 64->128 3x3 64x64 b16", "iizuka low-level 2", (16, 64, 64, 64),
         (128, 64, 3, 3), padding=1),
    conv("conv 64->32 3x3 128x128 b16", "lab-colorize", (16, 64, 128, 128), (32, 64, 3, 3),
         padding=1),
    # deep 256- and 512-channel layers
    conv("conv 256->512 3x3 16x16 b16", "iizuka low-level 6", (16, 256, 16, 16),
         (512, 256, 3, 3), padding=1),
    conv("conv 512->512 3x3 16x16 b16", "iizuka mid-level", (16, 512, 16, 16),
         (512, 512, 3, 3), padding=1),
    conv("conv 512->512 3x3/2 16x16 b16", "iizuka global", (16, 512, 16, 16),
         (512, 512, 3, 3), stride=2, padding=1),
    conv("conv 256->512 3x3 28x28 b8", "iizuka on 224x224 dogs", (8, 256, 28, 28),
         (512, 256, 3, 3), padding=1),
    conv("conv 512->256 1x1 16x16 b16", "iizuka fusion", (16, 512, 16, 16), (256, 512, 1, 1)),
    # stride-2 4x4 GAN layers on CIFAR 32x32
    conv("conv 3->64 4x4/2 32x32 b64", "colorize-cifar gan", (64, 3, 32, 32), (64, 3, 4, 4),
         stride=2, padding=1, input_grad=False),
    conv("conv 64->128 4x4/2 16x16 b64", "colorize-cifar gan", (64, 64, 16, 16),
         (128, 64, 4, 4), stride=2, padding=1),
    conv_transpose("convT 128->64 4x4/2 8x8 b64", "colorize-cifar gan", (64, 128, 8, 8),
                   (128, 64, 4, 4), stride=2, padding=1),
    conv_transpose("convT 64->3 4x4/2 16x16 b64", "colorize-cifar gan", (64, 64, 16, 16),
                   (64, 3, 4, 4), stride=2, padding=1),
    # batch norm, pooling, upsampling
    batch_norm("batch_norm 32ch 28x28 b64", "colorized-mnist", (64, 32, 28, 28)),
    batch_norm("batch_norm 512ch 16x16 b16", "iizuka", (16, 512, 16, 16)),
    one_input("max_pool2d 2x2 32ch 28x28 b64", "colorized-mnist", "max_pool2d",
              (64, 32, 28, 28), kernel_size=2),
    one_input("max_pool2d 2x2 64ch 42x42 b64", "multidigit-mnist", "max_pool2d",
              (64, 64, 42, 42), kernel_size=2),
    one_input("avg_pool2d 2x2 32ch 28x28 b64", "colorized-mnist", "avg_pool2d",
              (64, 32, 28, 28), kernel_size=2),
    one_input("adaptive_avg_pool2d 1 512ch 8x8 b16", "iizuka global", "adaptive_avg_pool2d",
              (16, 512, 8, 8), output_size=1),
    one_input("interpolate x2 128ch 16x16 b16", "iizuka colorization", "interpolate",
              (16, 128, 16, 16), scale_factor=2, mode="nearest"),
    one_input("interpolate x2 64ch 32x32 b16", "iizuka colorization", "interpolate",
              (16, 64, 32, 32), scale_factor=2, mode="nearest"),
]


def cases_for(device: str) -> list[Case]:
    """The cases to time on ``device``: as listed on the CPU, all at ``GPU_BATCH`` on cuda."""
    if device == "cuda":
        return [case.with_batch(GPU_BATCH) for case in CASES]
    return list(CASES)
