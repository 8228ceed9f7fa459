"""Classification: one class per image, cross-entropy loss, accuracy and confusion matrix.

Batches: images (B, C, H, W) float32 and labels (B,) int64. The model returns logits
(B, K); the loss is ``F.cross_entropy(logits, labels)`` (log-softmax + negative
log-likelihood, averaged over the batch) and the prediction is ``argmax`` of the logits.
"""
from __future__ import annotations

import numpy as np

from ... import no_grad
from ...nn import functional as F
from ..feature_maps import feature_maps
from ..metrics import MeanTracker, confusion_matrix, per_class_accuracy
from ..plots import plot_confusion_matrix, plot_examples, plot_feature_maps
from ..task import Evaluation, Examples, SingleModelTask, to_numpy

EXAMPLES = 16


class ClassScores:
    """Collects predicted and true classes over a split; the accuracy, the per-class
    accuracy and the confusion matrix come out of :meth:`results` (shared by the tasks
    that classify)."""

    def __init__(self, class_names):
        self.class_names = [str(name) for name in class_names]
        self.predicted, self.true = [], []

    def add(self, logits, labels) -> None:
        self.predicted.append(to_numpy(logits).argmax(axis=1))
        self.true.append(to_numpy(labels))

    def results(self) -> tuple[dict, dict]:
        predicted, true = np.concatenate(self.predicted), np.concatenate(self.true)
        confusion = confusion_matrix(predicted, true, len(self.class_names))
        per_class = per_class_accuracy(confusion)
        metrics = {"accuracy": float((predicted == true).mean())}
        details = {"per_class_accuracy": {name: (None if np.isnan(value) else float(value))
                                          for name, value in zip(self.class_names, per_class)},
                   "confusion_matrix": confusion.tolist(),
                   "class_names": self.class_names}
        return metrics, details


class ClassificationTask(SingleModelTask):
    kind = "classification"

    def __init__(self, model, class_names, device: str = "cpu"):
        super().__init__(model, device)
        self.class_names = [str(name) for name in class_names]

    def losses(self, logits, batch) -> dict:
        labels = batch[1]
        correct = (logits.array.argmax(axis=1) == labels.array).mean()
        return {"loss": F.cross_entropy(logits, labels), "accuracy": float(correct)}

    def evaluate(self, loader) -> Evaluation:
        means, scores = MeanTracker(), ClassScores(self.class_names)
        examples = Examples(EXAMPLES)
        maps: list = []
        with no_grad():
            for batch in loader:
                images, labels = self.to_device(batch)
                logits = self.model(images)
                means.add({"loss": F.cross_entropy(logits, labels).item()}, len(labels))
                scores.add(logits, labels)
                maps = maps or feature_maps(self.model, images[:1])
                examples.add(images=to_numpy(images), true_class=to_numpy(labels),
                             predicted_class=to_numpy(logits).argmax(axis=1))
        metrics, details = scores.results()
        return Evaluation({**means.means(), **metrics}, details,
                          {**examples.items, "feature_maps": maps})

    def curve_panels(self) -> list:
        return [("cross-entropy loss", ["train_loss", "val_loss"]),
                ("accuracy", ["train_accuracy", "val_accuracy"])]

    def write_plots(self, evaluation: Evaluation, folder, prefix: str = "") -> list:
        return classification_plots(evaluation, self.class_names, folder, prefix)


def classification_plots(evaluation: Evaluation, class_names, folder, prefix: str) -> list:
    """The confusion matrix of ``evaluation`` (``details`` of :class:`ClassScores`) and
    its example predictions (``examples``: images, true_class, predicted_class), as PNG
    files."""
    split = prefix.rstrip("_") or "validation"
    paths = [plot_confusion_matrix(evaluation.details["confusion_matrix"], class_names,
                                   folder / f"{prefix}confusion_matrix.png",
                                   f"confusion matrix ({split}), accuracy "
                                   f"{evaluation.metrics['accuracy']:.2%}")]
    examples = evaluation.examples
    if "predicted_class" in examples:
        paths.append(plot_examples(examples["images"],
                                   [class_names[i] for i in examples["predicted_class"]],
                                   [class_names[i] for i in examples["true_class"]],
                                   folder / f"{prefix}examples.png",
                                   f"example predictions ({split})"))
    if examples.get("feature_maps"):
        paths.append(feature_map_plot(examples, folder, prefix))
    return paths


def feature_map_plot(examples: dict, folder, prefix: str):
    """The feature maps of the first example image."""
    split = prefix.rstrip("_") or "validation"
    return plot_feature_maps(examples["images"][0], examples["feature_maps"],
                             folder / f"{prefix}feature_maps.png",
                             f"feature maps of one {split} image")
