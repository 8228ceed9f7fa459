"""The four colourizers of the lab-colorize study (seed 004), in CIE Lab.

Every model takes the lightness L/100 in [0, 1], shape (N, 1, H, W), and predicts the
chrominance (a, b)/128 in [-1, 1] through a tanh, shape (N, 2, H, W); the loss is MSE.
The seed prints Keras summaries for two of them (its Figures 4 and 8), which are rebuilt
here layer for layer; the other two it only describes, so their sizes are chosen here.

- :class:`LabColorizerBasic` — three 3×3 convolutions (Figure 4: 19,682 parameters).
- :class:`LabColorizerBatch` — batch norm, stride-2 convolutions and ×2 upsampling
  (Figure 8: 43,870 parameters, of which 50 are batch norm's running statistics).
- :class:`LabColorizerSkip` — a small U-Net (:class:`UNetColorizer`): a downsampling path
  and an upsampling path joined by skip connections.
- :class:`LabColorizerAttention` — the same U-Net with multi-head self-attention over the
  positions of the bottleneck's feature map in place of its last convolution.
All convolutions are 3×3 with padding 1 (Keras' "same"); ReLU after each hidden one.
"""
from __future__ import annotations

from minidl import nn
from minidl.creation import cat
from minidl.models.blocks import conv_bn_relu
from minidl.models.input_checks import check_image_batch
from minidl.models.summary import Summarizable

EXAMPLE_INPUT_SHAPE = (1, 1, 200, 200)  # the seed resizes its images to 200×200


def conv_relu(in_channels: int, out_channels: int, stride: int = 1) -> nn.Sequential:
    """Conv2d(3×3, padding 1) -> ReLU (a Keras Conv2D with activation='relu')."""
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1),
                         nn.ReLU())


class LabColorizerBasic(Summarizable, nn.Module):
    """Figure 4: Conv(1→64) ReLU, Conv(64→32) ReLU, Conv(32→2) tanh, all at full size.

    Parameters 640 + 18,464 + 578 = 19,682.  Any input size.
    """

    example_input_shape = EXAMPLE_INPUT_SHAPE

    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(conv_relu(1, 64), conv_relu(64, 32),
                                    nn.Conv2d(32, 2, 3, padding=1), nn.Tanh())

    def forward(self, x):
        check_image_batch("LabColorizerBasic", x, 1)
        return self.layers(x)


class LabColorizerBatch(Summarizable, nn.Module):
    """Figure 8, layer for layer (sizes for a 200×200 input):

        BatchNorm(1)                                  (N, 1, 200, 200)        4
        Conv(1→8, stride 2), Conv(8→8)                (N, 8, 100, 100)   80, 584
        BatchNorm(8)                                                          32
        Conv(8→16), Conv(16→16, stride 2)             (N, 16, 50, 50) 1168, 2320
        BatchNorm(16)                                                         64
        Conv(16→32), Conv(32→32, stride 2)            (N, 32, 25, 25) 4640, 9248
        Upsample×2, Conv(32→32), Conv(32→32)          (N, 32, 50, 50) 9248, 9248
        Upsample×2, Conv(32→16), Conv(16→16)          (N, 16, 100, 100) 4624, 2320
        Upsample×2, Conv(16→2) tanh                   (N, 2, 200, 200)       290

    Total 43,870 as Keras counts (43,820 trainable + 50 running statistics).  ReLU after
    every hidden convolution (the figure lists no activation layers: Keras' Conv2D carries
    its own).  Padding 1 gives the same sizes as Keras' "same" for even inputs.  H and W
    must be multiples of 8 so the three halvings and doublings meet.
    """

    example_input_shape = EXAMPLE_INPUT_SHAPE

    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            nn.BatchNorm2d(1),
            conv_relu(1, 8, stride=2), conv_relu(8, 8),
            nn.BatchNorm2d(8),
            conv_relu(8, 16), conv_relu(16, 16, stride=2),
            nn.BatchNorm2d(16),
            conv_relu(16, 32), conv_relu(32, 32, stride=2),
            nn.Upsample(scale_factor=2), conv_relu(32, 32), conv_relu(32, 32),
            nn.Upsample(scale_factor=2), conv_relu(32, 16), conv_relu(16, 16),
            nn.Upsample(scale_factor=2), nn.Conv2d(16, 2, 3, padding=1), nn.Tanh(),
        )

    def forward(self, x):
        check_image_batch("LabColorizerBatch", x, 1, multiple=8)
        return self.layers(x)


class UNetColorizer(Summarizable, nn.Module):
    """A small U-Net (the seed: "a downsampling path and an upsampling path ... connected
    through skip connections"; its sizes are not given, these follow Figure 8's scale):

        enc1 = ConvBNReLU(1→w)                              (N, w, H)
        enc2 = ConvBNReLU(w→2w, stride 2)                   (N, 2w, H/2)
        enc3 = ConvBNReLU(2w→4w, stride 2)                  (N, 4w, H/4)
        bottom = refine(ConvBNReLU(4w→8w, stride 2))        (N, 8w, H/8)
        dec3 = ConvBNReLU(cat[up(bottom), enc3] 12w→4w)     (N, 4w, H/4)
        dec2 = ConvBNReLU(cat[up(dec3), enc2] 6w→2w)        (N, 2w, H/2)
        dec1 = ConvBNReLU(cat[up(dec2), enc1] 3w→w)         (N, w, H)
        output = Conv(w→2) tanh                              (N, 2, H)

    ``up`` is nearest ×2 upsampling; ``refine`` (a module keeping (N, 8w, H/8, W/8)) is
    what the two study models differ in.  H and W must be multiples of 8.
    """

    example_input_shape = EXAMPLE_INPUT_SHAPE

    def __init__(self, width: int, refine: nn.Module):
        super().__init__()
        w = width
        self.enc1 = conv_bn_relu(1, w)
        self.enc2 = conv_bn_relu(w, 2 * w, stride=2)
        self.enc3 = conv_bn_relu(2 * w, 4 * w, stride=2)
        self.bottom = conv_bn_relu(4 * w, 8 * w, stride=2)
        self.refine = refine
        self.up = nn.Upsample(scale_factor=2)
        self.dec3 = conv_bn_relu(12 * w, 4 * w)
        self.dec2 = conv_bn_relu(6 * w, 2 * w)
        self.dec1 = conv_bn_relu(3 * w, w)
        self.output = nn.Sequential(nn.Conv2d(w, 2, 3, padding=1), nn.Tanh())

    def forward(self, x):
        check_image_batch(type(self).__name__, x, 1, multiple=8)
        enc1 = self.enc1(x)
        enc2 = self.enc2(enc1)
        enc3 = self.enc3(enc2)
        bottom = self.refine(self.bottom(enc3))
        dec3 = self.dec3(cat([self.up(bottom), enc3], dim=1))
        dec2 = self.dec2(cat([self.up(dec3), enc2], dim=1))
        dec1 = self.dec1(cat([self.up(dec2), enc1], dim=1))
        return self.output(dec1)


class LabColorizerSkip(UNetColorizer):
    """The U-Net of :class:`UNetColorizer` with one more ConvBNReLU(8w→8w) as its
    bottleneck refinement; w = ``width`` (default 8)."""

    def __init__(self, width: int = 8):
        super().__init__(width, conv_bn_relu(8 * width, 8 * width))


class SpatialSelfAttention(nn.Module):
    """Multi-head self-attention over the positions of a feature map, added back:

        tokens = x reshaped (N, C, H, W) -> (N, H·W, C)     one token per position
        y = x + attention(tokens, tokens, tokens) reshaped back to (N, C, H, W)

    Each position's new features mix those of every other position, weighted by
    similarity (the seed: attention "allowed us to assign varying levels of importance to
    different spatial locations").  The residual sum keeps the convolutional features.
    No positional encoding: the convolutions' zero padding already makes features depend
    on position near the borders, and the model stays size-independent.
    """

    def __init__(self, channels: int, num_heads: int = 4):
        super().__init__()
        self.attention = nn.MultiheadAttention(channels, num_heads, batch_first=True)

    def forward(self, x):
        n, c, h, w = x.shape
        tokens = x.reshape(n, c, h * w).transpose(1, 2)
        attended, _ = self.attention(tokens, tokens, tokens, need_weights=False)
        return x + attended.transpose(1, 2).reshape(n, c, h, w)


class LabColorizerAttention(UNetColorizer):
    """The U-Net of :class:`UNetColorizer` with its bottleneck refined by multi-head
    self-attention (:class:`SpatialSelfAttention`, ``num_heads`` heads over the 8w
    channels): at 200×200 input the 25×25 = 625 bottleneck positions attend to each other."""

    def __init__(self, width: int = 8, num_heads: int = 4):
        super().__init__(width, SpatialSelfAttention(8 * width, num_heads))
