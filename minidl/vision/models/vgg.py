"""VGG (Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale Image
Recognition", 2014), laid out as torchvision builds it.

Layout: ``features`` (a Sequential of 3x3 convs with padding 1, each followed by ReLU --
or BatchNorm2d then ReLU for the ``_bn`` variants -- and 2x2 max pools, per configuration
A/B/D/E = VGG-11/13/16/19), ``avgpool`` (adaptive, to 7x7) and ``classifier``
(``0`` Linear 25088->4096, ReLU, Dropout, ``3`` Linear 4096->4096, ReLU, Dropout,
``6`` Linear 4096->num_classes).
"""
from __future__ import annotations

from typing import Any

import minidl
from minidl import nn

from .weights import WeightsEnum, weights_enum, without_downloads

# Output channels of each conv; "M" is a 2x2 max pool.
CONFIGS: dict[str, list[int | str]] = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
          512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
          512, 512, 512, 512, "M"],
}


class VGG(nn.Module):
    """``features``, then a 7x7 adaptive average pool and the three-Linear classifier.

    With ``init_weights``: convs kaiming_normal_ (fan_out, relu) with zero bias, norms to
    weight 1 and bias 0, Linears N(0, 0.01) with zero bias.
    """

    def __init__(self, features: nn.Module, num_classes: int = 1000, init_weights: bool = True,
                 dropout: float = 0.5) -> None:
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes),
        )
        if init_weights:
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                    if m.bias is not None:
                        nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.constant_(m.weight, 1)
                    nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0, 0.01)
                    nn.init.constant_(m.bias, 0)

    def forward(self, x):
        x = self.avgpool(self.features(x))
        return self.classifier(minidl.flatten(x, 1))


def make_layers(cfg: list[int | str], batch_norm: bool = False) -> nn.Sequential:
    """The ``features`` Sequential of one configuration."""
    layers: list[nn.Module] = []
    in_channels = 3
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            continue
        assert isinstance(v, int)
        layers.append(nn.Conv2d(in_channels, v, kernel_size=3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(v))
        layers.append(nn.ReLU(inplace=True))
        in_channels = v
    return nn.Sequential(*layers)


def _vgg(cfg: str, batch_norm: bool, **kwargs: Any) -> VGG:
    return VGG(make_layers(CONFIGS[cfg], batch_norm=batch_norm), **kwargs)


VGG11_Weights = weights_enum("VGG11_Weights", "IMAGENET1K_V1")
VGG11_BN_Weights = weights_enum("VGG11_BN_Weights", "IMAGENET1K_V1")
VGG13_Weights = weights_enum("VGG13_Weights", "IMAGENET1K_V1")
VGG13_BN_Weights = weights_enum("VGG13_BN_Weights", "IMAGENET1K_V1")
VGG16_Weights = weights_enum(
    "VGG16_Weights", "IMAGENET1K_V1", "IMAGENET1K_FEATURES", default="IMAGENET1K_V1")
VGG16_BN_Weights = weights_enum("VGG16_BN_Weights", "IMAGENET1K_V1")
VGG19_Weights = weights_enum("VGG19_Weights", "IMAGENET1K_V1")
VGG19_BN_Weights = weights_enum("VGG19_BN_Weights", "IMAGENET1K_V1")


@without_downloads
def vgg11(*, weights: WeightsEnum | None = None, progress: bool = True,
          **kwargs: Any) -> VGG:
    """VGG-11 (configuration A); 132,863,336 parameters."""
    return _vgg("A", False, **kwargs)


@without_downloads
def vgg11_bn(*, weights: WeightsEnum | None = None, progress: bool = True,
             **kwargs: Any) -> VGG:
    """VGG-11 with batch norm; 132,868,840 parameters."""
    return _vgg("A", True, **kwargs)


@without_downloads
def vgg13(*, weights: WeightsEnum | None = None, progress: bool = True,
          **kwargs: Any) -> VGG:
    """VGG-13 (configuration B); 133,047,848 parameters."""
    return _vgg("B", False, **kwargs)


@without_downloads
def vgg13_bn(*, weights: WeightsEnum | None = None, progress: bool = True,
             **kwargs: Any) -> VGG:
    """VGG-13 with batch norm; 133,053,736 parameters."""
    return _vgg("B", True, **kwargs)


@without_downloads
def vgg16(*, weights: WeightsEnum | None = None, progress: bool = True,
          **kwargs: Any) -> VGG:
    """VGG-16 (configuration D); 138,357,544 parameters."""
    return _vgg("D", False, **kwargs)


@without_downloads
def vgg16_bn(*, weights: WeightsEnum | None = None, progress: bool = True,
             **kwargs: Any) -> VGG:
    """VGG-16 with batch norm; 138,365,992 parameters."""
    return _vgg("D", True, **kwargs)


@without_downloads
def vgg19(*, weights: WeightsEnum | None = None, progress: bool = True,
          **kwargs: Any) -> VGG:
    """VGG-19 (configuration E); 143,667,240 parameters."""
    return _vgg("E", False, **kwargs)


@without_downloads
def vgg19_bn(*, weights: WeightsEnum | None = None, progress: bool = True,
             **kwargs: Any) -> VGG:
    """VGG-19 with batch norm; 143,678,248 parameters."""
    return _vgg("E", True, **kwargs)
