"""The models of the colorize-cifar study (seed 002): grayscale -> colour on CIFAR-10 horses.

The seed is a slide deck: it names each model's kind and building blocks but gives no
widths or kernel sizes, so those are chosen here (and said below).  All take a grayscale
batch (N, 1, 32, 32); the widths scale with ``width`` (default 32 channels at full
resolution, as in the course assignments this study follows).

- :class:`RegressionColorizer` — the baseline "regression-based CNN": RGB by MSE.
- :class:`UNetColorClassifier` — colourization as per-pixel classification over 24
  k-means colours; a U-Net with strided convolutions down, transposed convolutions up and
  skip connections.
- :class:`GANGenerator` / :class:`GANDiscriminator` — the GAN: 5 Conv-BN-ReLU blocks down,
  5 ConvTranspose-BN-ReLU blocks up with skips and a tanh; 6 Conv-BN-ReLU blocks, one fully
  connected layer and a sigmoid.
"""
from __future__ import annotations

from minidl import nn
from minidl.creation import cat
from minidl.models.blocks import conv_bn_relu, deconv_bn_relu
from minidl.models.input_checks import check_image_batch
from minidl.models.summary import Summarizable


class RegressionColorizer(Summarizable, nn.Module):
    """Grayscale (N, 1, H, W) -> RGB in [0, 1] (N, 3, H, W); H and W multiples of 4.

        Conv(1→w) MaxPool BN ReLU           (N, w, H/2)       down
        Conv(w→2w) MaxPool BN ReLU          (N, 2w, H/4)      down
        Conv(2w→2w) BN ReLU                 (N, 2w, H/4)
        Conv(2w→w) Upsample×2 BN ReLU       (N, w, H/2)       up
        Conv(w→w) Upsample×2 BN ReLU        (N, w, H)         up
        Conv(w→3) Sigmoid                   (N, 3, H)

    All convolutions 3×3 with padding 1.  A plain encoder-decoder without skips: the
    baseline the U-Net improves on.  Choice: a sigmoid output, so predictions are valid
    RGB in [0, 1] and MSE compares them directly with the [0, 1] targets.
    """

    def __init__(self, width: int = 32):
        super().__init__()
        self.example_input_shape = (1, 1, 32, 32)

        def block(cin, cout, resample):
            return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), resample,
                                 nn.BatchNorm2d(cout), nn.ReLU())

        self.layers = nn.Sequential(
            block(1, width, nn.MaxPool2d(2)),
            block(width, 2 * width, nn.MaxPool2d(2)),
            conv_bn_relu(2 * width, 2 * width),
            block(2 * width, width, nn.Upsample(scale_factor=2)),
            block(width, width, nn.Upsample(scale_factor=2)),
            nn.Conv2d(width, 3, 3, padding=1),
            nn.Sigmoid(),
        )

    def forward(self, x):
        check_image_batch("RegressionColorizer", x, 1, multiple=4)
        return self.layers(x)


class UNetColorClassifier(Summarizable, nn.Module):
    """Grayscale (N, 1, H, W) -> per-pixel logits over ``num_colors`` colours
    (N, num_colors, H, W); H and W multiples of 4.

        down1 = Conv(1→w, stride 2) BN ReLU                         (N, w, H/2)
        down2 = Conv(w→2w, stride 2) BN ReLU                        (N, 2w, H/4)
        middle = Conv(2w→2w) BN ReLU                                (N, 2w, H/4)
        up1 = ConvT(cat[middle, down2] 4w→w, stride 2) BN ReLU      (N, w, H/2)
        up2 = ConvT(cat[up1, down1] 2w→w, stride 2) BN ReLU         (N, w, H)
        logits = Conv(cat[up2, input] w+1→num_colors)               (N, num_colors, H)

    Kernels 3×3, padding 1; the transposed convolutions use output_padding 1 so each
    exactly doubles the size.  The skips concatenate channels (U-Net); the last one hands
    the grayscale input itself to the classifier.  The loss is cross-entropy over the colour
    index of each pixel; the predicted image takes the palette colour of the arg-max.
    """

    def __init__(self, num_colors: int = 24, width: int = 32):
        super().__init__()
        self.num_colors = num_colors
        self.example_input_shape = (1, 1, 32, 32)
        self.down1 = conv_bn_relu(1, width, stride=2)
        self.down2 = conv_bn_relu(width, 2 * width, stride=2)
        self.middle = conv_bn_relu(2 * width, 2 * width)
        self.up1 = deconv_bn_relu(4 * width, width, 3, stride=2, padding=1, output_padding=1)
        self.up2 = deconv_bn_relu(2 * width, width, 3, stride=2, padding=1, output_padding=1)
        self.classify = nn.Conv2d(width + 1, num_colors, 3, padding=1)

    def forward(self, x):
        check_image_batch("UNetColorClassifier", x, 1, multiple=4)
        down1 = self.down1(x)
        down2 = self.down2(down1)
        middle = self.middle(down2)
        up1 = self.up1(cat([middle, down2], dim=1))
        up2 = self.up2(cat([up1, down1], dim=1))
        return self.classify(cat([up2, x], dim=1))


class GANGenerator(Summarizable, nn.Module):
    """Grayscale (N, 1, H, W) -> RGB in [-1, 1] (N, 3, H, W); H and W multiples of 32.

    Five down blocks Conv2d(4×4, stride 2, padding 1)-BatchNorm-ReLU halve the size each
    (32 -> 1 for CIFAR) with widths w, 2w, 4w, 8w, 8w; five up blocks
    ConvTranspose2d(4×4, stride 2, padding 1)-BatchNorm-ReLU double it back.  Skips (as in
    pix2pix's U-Net): each up block after the first reads its input concatenated with the
    down block of the same size, and a last 3×3 convolution reads the fifth up block's
    output concatenated with the grayscale input and gives 3 channels through tanh.

    Choices where the seed is silent: the 4×4 stride-2 kernels (the DCGAN/pix2pix
    convention), the widths, and the final 3×3 convolution (a ReLU block can't produce
    negative values, so a plain convolution turns the last features into tanh's input).
    Targets are RGB scaled to [-1, 1].  The 1×1 bottleneck is batch-normalized over the
    batch only: train with batches of at least 2 images.
    """

    def __init__(self, width: int = 32):
        super().__init__()
        self.example_input_shape = (1, 1, 32, 32)
        widths = [width, 2 * width, 4 * width, 8 * width, 8 * width]
        self.down = nn.ModuleList(
            conv_bn_relu(cin, cout, kernel_size=4, stride=2, padding=1)
            for cin, cout in zip([1] + widths[:-1], widths))
        # up block i reads the previous up output (+ the matching down output after the first)
        up_in = [widths[4], 2 * widths[3], 2 * widths[2], 2 * widths[1], 2 * widths[0]]
        up_out = [widths[3], widths[2], widths[1], widths[0], width]
        self.up = nn.ModuleList(
            deconv_bn_relu(cin, cout, kernel_size=4, stride=2, padding=1)
            for cin, cout in zip(up_in, up_out))
        self.to_rgb = nn.Conv2d(width + 1, 3, 3, padding=1)
        self.tanh = nn.Tanh()

    def forward(self, x):
        check_image_batch("GANGenerator", x, 1, multiple=32)
        skips = []
        h = x
        for block in self.down:
            h = block(h)
            skips.append(h)
        h = self.up[0](skips.pop())  # the 1×1 bottleneck, no skip to join
        for block in self.up[1:]:
            h = block(cat([h, skips.pop()], dim=1))
        return self.tanh(self.to_rgb(cat([h, x], dim=1)))


class GANDiscriminator(Summarizable, nn.Module):
    """(grayscale (N, 1, H, W), colour (N, 3, H, W)) -> probability "real" (N, 1).

    A conditional discriminator (as in pix2pix): it judges whether the colours fit the
    grayscale image, so it reads the pair concatenated into 4 channels, not the colour
    image alone.  Six blocks Conv2d(3×3, padding 1)-BatchNorm-ReLU with strides
    1, 2, 1, 2, 1, 2 and widths w, w, 2w, 2w, 4w, 4w take 32×32 to 4×4; one Linear layer
    maps the flattened features to one logit, and a sigmoid gives the probability.
    The seed says ReLU; ``negative_slope > 0`` switches to LeakyReLU (the usual GAN
    choice).  ``image_size`` fixes the Linear layer's input (a multiple of 8).
    """

    def __init__(self, width: int = 32, negative_slope: float = 0.0, image_size: int = 32):
        super().__init__()
        if image_size % 8:
            raise ValueError(f"GANDiscriminator: image_size must be a multiple of 8 (three "
                             f"stride-2 blocks), got {image_size}")
        self.image_size = image_size
        self.example_input_shape = ((1, 1, image_size, image_size),
                                    (1, 3, image_size, image_size))
        widths = [width, width, 2 * width, 2 * width, 4 * width, 4 * width]
        strides = [1, 2, 1, 2, 1, 2]
        self.features = nn.Sequential(*(
            conv_bn_relu(cin, cout, stride=stride, negative_slope=negative_slope)
            for cin, cout, stride in zip([4] + widths[:-1], widths, strides)))
        side = image_size // 8
        self.classify = nn.Sequential(nn.Flatten(), nn.Linear(widths[-1] * side * side, 1),
                                      nn.Sigmoid())

    def forward(self, gray, color):
        check_image_batch("GANDiscriminator (gray)", gray, 1, size=self.image_size)
        check_image_batch("GANDiscriminator (color)", color, 3, size=self.image_size)
        if gray.shape[0] != color.shape[0]:
            raise ValueError(f"GANDiscriminator: gray (shape {tuple(gray.shape)}) and color "
                             f"(shape {tuple(color.shape)}) have different batch sizes")
        return self.classify(self.features(cat([gray, color], dim=1)))
