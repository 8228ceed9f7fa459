"""The three-digit multi-label CNN of the multidigit-mnist study (seed 001).

The seed: "three convolutional layers, each followed by a max-pooling layer", "a Dropout
layer ... after the dense layer", "the output layer consists of 30 units (10 classes for
each of the 3 digits)", sigmoid + binary cross-entropy, inputs 84×84 grayscale.

    input (N, 1, 84, 84)
    Conv2d(1→32, 3×3) + ReLU, MaxPool2d(2)     ->  (N, 32, 41, 41)
    Conv2d(32→64, 3×3) + ReLU, MaxPool2d(2)    ->  (N, 64, 19, 19)
    Conv2d(64→128, 3×3) + ReLU, MaxPool2d(2)   ->  (N, 128, 8, 8)
    Flatten, Linear(8192→128) + ReLU, Dropout(0.5)
    Linear(128→30)                             ->  (N, 30) logits

Logit 10·p + d answers "is digit d at position p?"; the loss is binary cross-entropy with
logits over the 30 outputs (the seed's sigmoid + BCE, fused for numerical stability), and
the predicted number is the arg-max within each block of 10.  Choices where the seed is
silent: Keras' defaults for a "Conv2D" layer ("valid" padding, 3×3 kernels), the usual
32/64/128 channel progression and a 128-unit dense layer.  ``image_size`` can be changed
for other generated image sizes (at least 22, so three conv+pool stages leave a pixel).
"""
from __future__ import annotations

from minidl import nn
from minidl.models.input_checks import check_image_batch
from minidl.models.summary import Summarizable


def _after_conv_pool(size: int) -> int:
    """Side length after a 3×3 "valid" convolution and a 2×2 max-pooling."""
    return (size - 2) // 2


class MultiDigitNet(Summarizable, nn.Module):
    """(N, 1, image_size, image_size) -> (N, num_positions · num_classes) logits."""

    def __init__(self, num_positions: int = 3, num_classes: int = 10, dropout: float = 0.5,
                 image_size: int = 84):
        super().__init__()
        side = image_size
        for _ in range(3):
            side = _after_conv_pool(side)
        if side < 1:
            raise ValueError(f"MultiDigitNet: image_size must be at least 22 (three 3×3 "
                             f"convolutions and 2×2 poolings), got {image_size}")
        self.num_positions = num_positions
        self.num_classes = num_classes
        self.image_size = image_size
        self.example_input_shape = (1, 1, image_size, image_size)
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(64, 128, 3), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(128 * side * side, 128), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(128, num_positions * num_classes),
        )

    def forward(self, x):
        check_image_batch("MultiDigitNet", x, 1, size=self.image_size)
        return self.classifier(self.features(x))
