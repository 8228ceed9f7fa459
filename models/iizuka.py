"""Joint colourization and classification (seed 003: Iizuka, Simo-Serra & Ishikawa 2016, as
re-implemented and varied by Piefke, Reise & Verdugo).

Input: the L channel (N, 1, H, W), H and W multiples of 8.  Sizes for w = ``width`` = 64
(the paper's channels; smaller widths give a lighter model of the same shape):

low-level features, shared by both branches — six 3×3 convolutions, stride 2 with padding 1
instead of pooling:
    w/2, 2w, 2w/2, 4w, 4w/2, 8w  (out channels / stride 2)   -> (N, 8w, H/8, W/8)
mid-level features — two 3×3 convolutions                       -> (N, 4w, H/8, W/8)
global features — four 3×3 convolutions (8w, stride 2, 8w, 8w stride 2, 8w), global
    average pooling, three fully connected layers 16w, 8w, 4w   -> (N, 4w) = 256-vector
fusion — the global vector copied to every mid-level position, concatenated to its 4w
    channels, and mixed by a 1×1 convolution                    -> (N, 4w, H/8, W/8)
colourization network — conv 2w, up×2, conv w, conv w, up×2, conv w/2, conv 2 + sigmoid
                                                                -> ab (N, 2, H/2, W/2)
classification network — FC 4w, FC num_classes on the global vector -> logits (N, classes)

``ab`` is the Lab chrominance scaled to [0, 1] at half the input's size (compare it with
the target's a, b downsampled by 2, or upsample it); ``logits`` feed cross-entropy.
Every hidden convolution is followed by batch norm and ReLU, every hidden FC layer by ReLU.

Tasks (the seed, section 3.3): ``"colorize"`` uses low-level, mid-level and the
colourization network (no global features, no fusion); ``"classify"`` uses low-level,
global features and the classification network; ``"joint"`` uses everything.
:meth:`IizukaNet.forward` returns ``IizukaOutput(ab, logits)`` with None for the part the
task lacks.

The joint loss is MSE(ab) + cross-entropy / 200, and "this loss of the classification
network only affects the networks directly connected to it and not the colorization network
parts, i.e. the colorization network and the mid-level features network".  That holds by
the structure of the graph, with no detaching: the classification network reads only the
global vector, so the cross-entropy's gradient reaches the classifier, the global features
and the shared low-level features, and never the mid-level features, the fusion layer or
the colourization network (tests/test_models.py checks it).  The colourization loss flows
through the fusion layer into the global and low-level features too, end to end as in
Iizuka et al.  (The seed's own code additionally kept the MSE out of the global features;
its text does not say so, and the paper trains end to end, so minidl does not.)

Variants (the seed's sections 4.1, 4.3, 4.4):
- ``"basic"``: as above (trained with ADADELTA by the study).
- ``"adam-dropout"``: Dropout(``dropout``) after the first two global FC layers and the
  classifier's hidden layer (trained with Adam).  The seed's code puts dropout there.
- ``"residual"``: adam-dropout plus residual connections: every 3×3 conv-BN-ReLU of the
  low-level, mid-level, global and colourization networks adds its input back,
  y = ReLU(BN(conv(x)) + shortcut(x)), the shortcut being x itself or, when channels or
  stride change, a 1×1 convolution with the same stride (He et al., 2016).
Choice where seed and paper differ: global average pooling (the seed's code) instead of the
paper's flattening of a fixed 7×7 map, so any input size works and the FC layers stay
small.
"""
from __future__ import annotations

from typing import NamedTuple

from minidl import nn
from minidl.creation import cat
from minidl.models.blocks import conv_bn_relu
from minidl.models.input_checks import check_image_batch
from minidl.models.summary import Summarizable
from minidl.tensor import Tensor

TASKS = ("colorize", "classify", "joint")
VARIANTS = ("basic", "adam-dropout", "residual")


class IizukaOutput(NamedTuple):
    """What :class:`IizukaNet` returns: chrominance (N, 2, H/2, W/2) in [0, 1] and class
    logits (N, num_classes); None where the task has no such branch."""
    ab: Tensor | None
    logits: Tensor | None


class ResidualConvBlock(nn.Module):
    """y = ReLU(BN(Conv3×3(x)) + shortcut(x)); shortcut = x, or a 1×1 convolution (same
    stride) when the number of channels or the size changes."""

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1)
        self.bn = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU()
        if in_channels == out_channels and stride == 1:
            self.shortcut = nn.Identity()
        else:
            self.shortcut = nn.Conv2d(in_channels, out_channels, 1, stride=stride)

    def forward(self, x):
        return self.relu(self.bn(self.conv(x)) + self.shortcut(x))


class IizukaNet(Summarizable, nn.Module):
    """(N, 1, H, W) L channel -> IizukaOutput(ab, logits); see the module docstring."""

    example_input_shape = (1, 1, 128, 128)  # the Natural-Color Dataset's size

    def __init__(self, task: str = "joint", variant: str = "basic", num_classes: int = 20,
                 dropout: float = 0.5, width: int = 64):
        super().__init__()
        if task not in TASKS:
            raise ValueError(f"IizukaNet: task must be one of {TASKS}, got {task!r}")
        if variant not in VARIANTS:
            raise ValueError(f"IizukaNet: variant must be one of {VARIANTS}, got {variant!r}")
        if not isinstance(width, int) or width < 2 or width % 2:
            raise ValueError(f"IizukaNet: width must be an even int >= 2, got {width!r}")
        self.task, self.variant = task, variant
        self.residual = variant == "residual"
        self.dropout = 0.0 if variant == "basic" else dropout
        w = width
        self.low_level = self._convs([(1, w, 2), (w, 2 * w, 1), (2 * w, 2 * w, 2),
                                      (2 * w, 4 * w, 1), (4 * w, 4 * w, 2), (4 * w, 8 * w, 1)])
        if task != "classify":
            self.mid_level = self._convs([(8 * w, 8 * w, 1), (8 * w, 4 * w, 1)])
            self.colorization = nn.Sequential(
                self._convs([(4 * w, 2 * w, 1)]), nn.Upsample(scale_factor=2),
                self._convs([(2 * w, w, 1), (w, w, 1)]), nn.Upsample(scale_factor=2),
                self._convs([(w, w // 2, 1)]),
                nn.Conv2d(w // 2, 2, 3, padding=1), nn.Sigmoid())
        if task != "colorize":
            self.global_features = nn.Sequential(
                self._convs([(8 * w, 8 * w, 2), (8 * w, 8 * w, 1), (8 * w, 8 * w, 2),
                             (8 * w, 8 * w, 1)]),
                nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                *self._dense(8 * w, 16 * w, drop=True), *self._dense(16 * w, 8 * w, drop=True),
                *self._dense(8 * w, 4 * w, drop=False))
            self.classifier = nn.Sequential(*self._dense(4 * w, 4 * w, drop=True),
                                            nn.Linear(4 * w, num_classes))
        if task == "joint":
            self.fusion = conv_bn_relu(8 * w, 4 * w, kernel_size=1, padding=0)

    def _convs(self, specs) -> nn.Sequential:
        """3×3 conv-BN-ReLU layers (residual blocks in the residual variant) from
        (in_channels, out_channels, stride) triples."""
        block = ResidualConvBlock if self.residual else conv_bn_relu
        return nn.Sequential(*(block(cin, cout, stride=stride) for cin, cout, stride in specs))

    def _dense(self, in_features: int, out_features: int, drop: bool) -> list[nn.Module]:
        """Linear -> ReLU, then Dropout where the variant has it."""
        layers = [nn.Linear(in_features, out_features), nn.ReLU()]
        if drop and self.dropout > 0:
            layers.append(nn.Dropout(self.dropout))
        return layers

    def fuse(self, mid, global_vector):
        """Concatenate the (N, C) global vector to every position of mid (N, C', h, w) and
        mix with the 1×1 fusion convolution: y[:, :, i, j] = ReLU(BN(W [mid_ij; g] + b))."""
        n, _, h, w = mid.shape
        spread = global_vector.reshape(n, -1, 1, 1).expand(n, global_vector.shape[1], h, w)
        return self.fusion(cat([mid, spread], dim=1))

    def forward(self, x) -> IizukaOutput:
        check_image_batch("IizukaNet", x, 1, multiple=8)
        low = self.low_level(x)
        global_vector = logits = ab = None
        if self.task != "colorize":
            global_vector = self.global_features(low)
            logits = self.classifier(global_vector)
        if self.task != "classify":
            mid = self.mid_level(low)
            if self.task == "joint":
                mid = self.fuse(mid, global_vector)
            ab = self.colorization(mid)
        return IizukaOutput(ab, logits)
