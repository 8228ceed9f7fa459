"""Joint colourization and classification (the iizuka study).

Batches: ``(L / 100 (B, 1, H, W), ab target (B, 2, H/2, W/2) in [0, 1], class (B,))``.
The model returns ``(ab, logits)``, with None for a branch its task lacks. Losses:

    colorize   loss = MSE(ab, target)
    classify   loss = CE(logits, class)
    joint      loss = MSE(ab, target) + classification_weight * CE(logits, class)

(``classification_weight`` = 1/200 in the seed: it brings the two losses to one scale).
Both parts are logged on their own (``mse``, ``cross_entropy``) and the metrics of each
branch present are measured: accuracy and confusion matrix; PSNR, colour error and
colourfulness of the predicted colours (ab resized up to the input's size and joined to
its L).
"""
from __future__ import annotations

from ... import no_grad
from ...nn import functional as F
from ..metrics import MeanTracker
from ..task import Evaluation, numbers, to_numpy
from .classification import ClassScores, classification_plots
from .color_targets import LabTarget
from .colorization import ColorizationTask, ColorScores


class JointTask(ColorizationTask):
    def __init__(self, model, task: str, class_names, input_size,
                 classification_weight: float = 1 / 200, device: str = "cpu"):
        super().__init__(model, LabTarget("sigmoid"), input_size, device)
        self.task = task
        self.class_names = [str(name) for name in class_names]
        self.classification_weight = classification_weight
        self.kind = "classification" if task == "classify" else "joint"

    @property
    def can_colorize(self) -> bool:  # type: ignore[override]  # a plain attribute above
        return self.task != "classify"

    def losses(self, outputs, batch) -> dict:
        _, target_ab, labels = batch
        values: dict = {}
        loss = None
        if outputs.ab is not None:
            values["mse"] = loss = F.mse_loss(outputs.ab, target_ab)
        if outputs.logits is not None:
            values["cross_entropy"] = F.cross_entropy(outputs.logits, labels)
            right = (outputs.logits.array.argmax(axis=1) == labels.array).mean()
            values["accuracy"] = float(right)
            weighted = values["cross_entropy"] * self.classification_weight
            loss = values["cross_entropy"] if loss is None else loss + weighted
        return {"loss": loss, **values}

    def prediction_rgb(self, inputs, outputs):
        return self.color_target.output_rgb(inputs, to_numpy(outputs.ab))

    def prediction_ab(self, inputs, outputs):
        return self.color_target.output_ab(inputs, to_numpy(outputs.ab))

    def evaluate(self, loader) -> Evaluation:
        means, colors, classes = MeanTracker(), ColorScores(), ClassScores(self.class_names)
        metrics: dict = {}
        details: dict = {}
        examples: dict = {}
        with no_grad():
            for batch in loader:
                batch = self.to_device(batch)
                outputs = self.model(batch[0])
                means.add(numbers(self.losses(outputs, batch)), len(batch[0]))
                if outputs.ab is not None:
                    self.score(colors, batch, outputs)
                if outputs.logits is not None:
                    classes.add(outputs.logits, batch[2])
        metrics.update(means.means())
        if self.task != "classify":
            metrics.update(colors.results())
            examples = colors.examples
        if self.task != "colorize":
            class_metrics, details = classes.results()
            metrics.update(class_metrics)
        return Evaluation(metrics, details, examples)

    def curve_panels(self) -> list:
        return [("total loss", ["train_loss", "val_loss"]),
                ("colourization loss (MSE)", ["train_mse", "val_mse"]),
                ("classification loss (cross-entropy)", ["train_cross_entropy",
                                                         "val_cross_entropy"]),
                ("classification accuracy", ["train_accuracy", "val_accuracy"]),
                ("PSNR (dB, validation)", ["val_psnr"]),
                ("colourfulness (validation)", ["val_colorfulness",
                                                "val_colorfulness_original"])]

    def write_plots(self, evaluation: Evaluation, folder, prefix: str = "") -> list:
        paths = []
        if self.task != "colorize":
            paths += classification_plots(evaluation, self.class_names, folder, prefix)
        return paths + super().write_plots(evaluation, folder, prefix)
