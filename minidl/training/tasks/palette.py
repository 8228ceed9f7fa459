"""Colourization as per-pixel classification over a palette (the colorize-cifar U-Net).

Before training, k-means picks ``num_colors`` colours from the training images' pixels
(:func:`minidl.color.kmeans_palette`); every pixel's class is its nearest palette colour.
The model maps the grayscale image (B, 1, H, W) to logits (B, k, H, W); the loss is the
cross-entropy of every pixel's logits against its class (averaged over the pixels), and
the predicted image takes each pixel's most likely palette colour. ``pixel_accuracy``
counts the pixels whose colour class is right; the RGB metrics are those of every
colourization task.
"""
from __future__ import annotations

import numpy as np

from ...color import ColorPalette, kmeans_palette, rgb_to_lab
from ...creation import from_numpy
from ...data import using_generator
from ...nn import functional as F
from ...tensor import Tensor
from ..task import to_numpy
from .color_targets import RGBTarget
from .colorization import ColorizationTask

PALETTE_IMAGES = 500


class PaletteColorizationTask(ColorizationTask):
    kind = "palette-colorization"

    def __init__(self, model, num_colors: int, input_size, seed: int = 0,
                 device: str = "cpu"):
        super().__init__(model, RGBTarget("sigmoid"), input_size, device)
        self.num_colors, self.seed = num_colors, seed
        self.palette: ColorPalette | None = None

    def prepare(self, train_dataset) -> None:
        """Fit the palette to the pixels of the first training images (their colours
        only: augmentation draws from a generator of its own here)."""
        count = min(len(train_dataset), PALETTE_IMAGES)
        with using_generator(np.random.default_rng(self.seed)):
            pixels = np.stack([np.asarray(train_dataset[i][1]) for i in range(count)])
        self.palette = kmeans_palette(pixels, k=self.num_colors, seed=self.seed, axis=1)

    @property
    def fitted_palette(self) -> ColorPalette:
        """The palette, once ``prepare`` has fitted it or ``load_state_dict`` loaded it."""
        if self.palette is None:
            raise RuntimeError("PaletteColorizationTask: no palette yet; prepare() fits it "
                               "to the training images, load_state_dict() loads it")
        return self.palette

    def state_dict(self) -> dict:
        return {"palette": self.fitted_palette.colors}

    def load_state_dict(self, state: dict) -> None:
        self.palette = ColorPalette(np.asarray(state["palette"]))

    def classes_of(self, rgb) -> Tensor:
        """(B, 3, H, W) RGB tensor -> (B, H, W) int64 tensor of palette indices."""
        return from_numpy(self.fitted_palette.assign(to_numpy(rgb), axis=1)).to(self.device)

    def losses(self, outputs, batch) -> dict:
        classes = self.classes_of(batch[1])
        right = (outputs.array.argmax(axis=1) == classes.array).mean()
        return {"loss": F.cross_entropy(outputs, classes),
                "pixel_accuracy": float(right)}

    def prediction_rgb(self, inputs: np.ndarray, outputs) -> np.ndarray:
        return self.fitted_palette.decode(to_numpy(outputs).argmax(axis=1), axis=1)

    def prediction_ab(self, inputs: np.ndarray, outputs) -> np.ndarray:
        return rgb_to_lab(self.prediction_rgb(inputs, outputs), axis=1)[:, 1:]

    def curve_panels(self) -> list:
        return [("loss (per-pixel cross-entropy)", ["train_loss", "val_loss"]),
                ("palette pixel accuracy", ["train_pixel_accuracy", "val_pixel_accuracy"]),
                ("RGB distance (validation)", ["val_rgb_error"]),
                ("PSNR (dB, validation)", ["val_psnr"]),
                ("colourfulness (validation)", ["val_colorfulness",
                                                "val_colorfulness_original"])]
