"""Colourization: predict the colours of a grayscale image.

Batches: ``(inputs, targets)`` (or ``(inputs, targets, labels)``), encoded as the task's
:mod:`color target <.color_targets>` says (grayscale -> RGB, or L -> ab). The plain task
is a regression: ``loss = F.mse_loss(model(inputs), target)``, the mean over every
pixel and channel of the squared difference in the model's output range.

Every colourization task is also measured in RGB, so runs can be compared whatever their
encoding (the seeds call colourization "hard to quantify"); see :class:`ColorScores`.
:meth:`ColorizationTask.colorize` colours a photo of any size.
"""
from __future__ import annotations

import numpy as np

from ... import no_grad
from ...color import colorfulness, lab_to_rgb, mean_ab_error, psnr, rgb_to_lab
from ...creation import from_numpy
from ...data.functional import resize
from ...nn import functional as F
from ..metrics import MeanTracker
from ..plots import plot_colorization_grid
from ..task import Evaluation, Examples, SingleModelTask, numbers, to_numpy
from .color_targets import resize_batch

EXAMPLES = 6


class ColorScores:
    """Colour metrics of predictions against originals, RGB (N, 3, H, W) in [0, 1]:

    * ``psnr``: peak signal-to-noise ratio per image in dB, averaged (higher is better;
      an image predicted exactly counts as 100 dB rather than infinity);
    * ``rgb_error``: mean Euclidean distance of a pixel's RGB to the original's (0-1.73);
    * ``ab_error``: mean distance in Lab's (a, b) plane (about 2.3 is just noticeable);
    * ``colorfulness``, ``colorfulness_original``: Hasler-Suesstrunk colourfulness of the
      predictions and of the originals (a colourizer stuck on brown scores low).

    The first images seen are kept (``examples``) for the grayscale | prediction |
    original grid."""

    def __init__(self):
        self.means = MeanTracker()
        self._examples = Examples(EXAMPLES)

    def add(self, gray: np.ndarray, predicted: np.ndarray, original: np.ndarray) -> None:
        per_image_psnr = [min(psnr(p, o), 100.0) for p, o in zip(predicted, original)]
        distance = np.sqrt(((predicted - original) ** 2).sum(axis=1)).mean()
        self.means.add({"psnr": float(np.mean(per_image_psnr)),
                        "rgb_error": float(distance),
                        "ab_error": mean_ab_error(predicted, original, axis=1),
                        "colorfulness": float(np.mean(colorfulness(predicted, axis=1))),
                        "colorfulness_original": float(np.mean(colorfulness(original,
                                                                            axis=1)))},
                       len(predicted))
        self._examples.add(gray=gray, predicted=predicted, original=original)

    @property
    def examples(self) -> dict:
        return self._examples.items

    def results(self) -> dict:
        return self.means.means()


class ColorizationTask(SingleModelTask):
    """Regression of the colour target with the mean squared error (see the module
    docstring). ``input_size``: the (height, width) the model was trained on, used by
    :meth:`colorize`."""

    kind = "colorization"
    can_colorize = True

    def __init__(self, model, color_target, input_size, device: str = "cpu"):
        super().__init__(model, device)
        self.color_target = color_target
        self.input_size = tuple(input_size)

    # -- the parts a variant changes --------------------------------------------------------
    def losses(self, outputs, batch) -> dict:
        return {"loss": F.mse_loss(outputs, self.color_target.model_target(batch[1]))}

    def prediction_rgb(self, inputs: np.ndarray, outputs) -> np.ndarray:
        return self.color_target.output_rgb(inputs, to_numpy(outputs))

    def prediction_ab(self, inputs: np.ndarray, outputs) -> np.ndarray:
        return self.color_target.output_ab(inputs, to_numpy(outputs))

    # -- evaluation -----------------------------------------------------------------------
    def evaluate(self, loader) -> Evaluation:
        means, scores = MeanTracker(), ColorScores()
        with no_grad():
            for batch in loader:
                batch = self.to_device(batch)
                outputs = self.model(batch[0])
                means.add(numbers(self.losses(outputs, batch)), len(batch[0]))
                self.score(scores, batch, outputs)
        return Evaluation({**means.means(), **scores.results()}, {}, scores.examples)

    def score(self, scores: ColorScores, batch, outputs) -> None:
        inputs = to_numpy(batch[0])
        scores.add(self.color_target.gray(inputs), self.prediction_rgb(inputs, outputs),
                   self.color_target.target_rgb(inputs, to_numpy(batch[1])))

    def curve_panels(self) -> list:
        return [("loss (mean squared error)", ["train_loss", "val_loss"]),
                ("PSNR (dB, validation)", ["val_psnr"]),
                ("colour error (validation)", ["val_ab_error"]),
                ("colourfulness (validation)", ["val_colorfulness",
                                                "val_colorfulness_original"])]

    def write_plots(self, evaluation: Evaluation, folder, prefix: str = "") -> list:
        examples = evaluation.examples
        if not examples:
            return []
        split = prefix.rstrip("_") or "validation"
        return [plot_colorization_grid(examples["gray"], examples["predicted"],
                                       examples["original"], folder / f"{prefix}colorized.png",
                                       f"{split}: PSNR {evaluation.metrics['psnr']:.1f} dB, "
                                       f"ab error {evaluation.metrics['ab_error']:.1f}")]

    # -- a photo of any size --------------------------------------------------------------
    def colorize(self, rgb: np.ndarray) -> np.ndarray:
        """Colour a photo (H, W, 3) float in [0, 1]: its grayscale, resized to the model's
        input size, goes through the model; the predicted (a, b) is resized back to
        (H, W) and joined to the photo's own lightness L. Returns (H, W, 3) in [0, 1]."""
        height, width = rgb.shape[:2]
        small = resize(rgb.astype(np.float32), self.input_size)
        inputs = self.color_target.model_input(small.transpose(2, 0, 1))[None]
        self.train(False)
        with no_grad():
            outputs = self.model(from_numpy(inputs).to(self.device))
        ab = resize_batch(self.prediction_ab(inputs, outputs), (height, width))[0]
        lightness = rgb_to_lab(rgb, axis=-1)[..., :1]
        lab = np.concatenate([lightness, ab.transpose(1, 2, 0)], axis=-1)
        return np.clip(lab_to_rgb(lab, axis=-1), 0.0, 1.0)
