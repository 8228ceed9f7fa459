"""How a colourization model sees colour: its input, its target, and the way back to RGB.

Two encodings, matching :mod:`minidl.datasets.colorization`:

``RGBTarget(output)``   input: CIE-luminance grayscale (1, H, W) in [0, 1];
                        target: the RGB image (3, H, W) in [0, 1]. A model with a
                        ``"sigmoid"`` output predicts it as is; a ``"tanh"`` output
                        predicts ``2 rgb - 1`` in [-1, 1].
``LabTarget(ab_range)`` input: lightness ``L / 100`` (1, H, W) in [0, 1];
                        target: the chroma (a, b), scaled to the model's output range
                        (see :mod:`minidl.datasets.colorization`), maybe
                        at a smaller size (h, w) than the input (the Iizuka network
                        predicts it at half size: it is resized up, bilinearly).

Every method works on NumPy batches (N, C, H, W):

``model_target(target)``     the dataset's target -> what the loss compares the output to
``output_rgb(inputs, out)``  the model's output -> RGB (N, 3, H, W) in [0, 1]
``target_rgb(inputs, tgt)``  the dataset's target -> RGB, the ground truth of the plots
``output_ab(inputs, out)``   the model's output -> Lab's (a, b) (N, 2, h, w): recombined
                             with an image's own lightness by ``minidl colorize``
``model_input(rgb)``         an RGB image (3, H, W) -> the model's input (1, H, W)
``gray(inputs)``             the input as a grayscale picture (N, 1, H, W) in [0, 1]
"""
from __future__ import annotations

import numpy as np

from ...color import lab_to_rgb, rgb_to_grayscale, rgb_to_lab
from ...data.functional import resize
from ...datasets.colorization import AB_RANGES, ab_to_lab_units


def resize_batch(images: np.ndarray, size) -> np.ndarray:
    """(N, C, h, w) -> (N, C, H, W) bilinearly; unchanged when the size is already H, W."""
    size = tuple(size)
    if images.shape[2:] == size:
        return images
    return np.stack([resize(image.transpose(1, 2, 0), size).transpose(2, 0, 1)
                     for image in images])


class RGBTarget:
    name = "rgb"

    def __init__(self, output: str = "sigmoid"):
        if output not in ("sigmoid", "tanh"):
            raise ValueError(f"RGBTarget: output must be 'sigmoid' or 'tanh', got {output!r}")
        self.output = output

    def model_target(self, rgb):
        return rgb * 2.0 - 1.0 if self.output == "tanh" else rgb

    def output_rgb(self, inputs: np.ndarray, outputs: np.ndarray) -> np.ndarray:
        rgb = (outputs + 1.0) / 2.0 if self.output == "tanh" else outputs
        return np.clip(rgb, 0.0, 1.0).astype(np.float32)

    def target_rgb(self, inputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
        return np.clip(targets, 0.0, 1.0).astype(np.float32)

    def output_ab(self, inputs: np.ndarray, outputs: np.ndarray) -> np.ndarray:
        return rgb_to_lab(self.output_rgb(inputs, outputs), axis=1)[:, 1:]

    def model_input(self, rgb: np.ndarray) -> np.ndarray:
        return rgb_to_grayscale(rgb, axis=0).astype(np.float32)

    def gray(self, inputs: np.ndarray) -> np.ndarray:
        return inputs


class LabTarget:
    name = "lab"

    def __init__(self, ab_range: str = "tanh"):
        if ab_range not in AB_RANGES:
            raise ValueError(f"LabTarget: ab_range must be one of {AB_RANGES}, got "
                             f"{ab_range!r}")
        self.ab_range = ab_range

    def model_target(self, ab):
        return ab

    def output_ab(self, inputs: np.ndarray, outputs: np.ndarray) -> np.ndarray:
        return ab_to_lab_units(outputs, self.ab_range)

    def output_rgb(self, inputs: np.ndarray, outputs: np.ndarray) -> np.ndarray:
        ab = resize_batch(self.output_ab(inputs, outputs), inputs.shape[2:])
        lab = np.concatenate([inputs * 100.0, ab], axis=1)
        return np.clip(lab_to_rgb(lab, axis=1), 0.0, 1.0).astype(np.float32)

    def target_rgb(self, inputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
        return self.output_rgb(inputs, targets)

    def model_input(self, rgb: np.ndarray) -> np.ndarray:
        return (rgb_to_lab(rgb, axis=0)[:1] / 100.0).astype(np.float32)

    def gray(self, inputs: np.ndarray) -> np.ndarray:
        return inputs
