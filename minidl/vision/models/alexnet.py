"""AlexNet (Krizhevsky, "One weird trick for parallelizing convolutional neural networks",
2014 -- the single-GPU variant torchvision implements), laid out as torchvision builds it.

Layout: ``features`` (``0`` conv 11x11/4 -> 64, ``3`` conv 5x5 -> 192, ``6`` conv 3x3 ->
384, ``8`` -> 256, ``10`` -> 256, with ReLUs and three 3x3/2 max pools), ``avgpool``
(adaptive, to 6x6) and ``classifier`` (Dropout, ``1`` Linear 9216->4096, ReLU, Dropout,
``4`` Linear 4096->4096, ReLU, ``6`` Linear 4096->num_classes). Every layer keeps PyTorch's
default initialization.
"""
from __future__ import annotations

from typing import Any

import minidl
from minidl import nn

from .weights import WeightsEnum, weights_enum, without_downloads


class AlexNet(nn.Module):
    def __init__(self, num_classes: int = 1000, dropout: float = 0.5) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
            nn.Dropout(p=dropout), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x):
        x = self.avgpool(self.features(x))
        return self.classifier(minidl.flatten(x, 1))


AlexNet_Weights = weights_enum("AlexNet_Weights", "IMAGENET1K_V1")


@without_downloads
def alexnet(*, weights: WeightsEnum | None = None, progress: bool = True,
            **kwargs: Any) -> AlexNet:
    """AlexNet; 61,100,840 parameters."""
    return AlexNet(**kwargs)
