"""Multi-label classification of several digits per image (the multidigit-mnist study).

Batches: images (B, 1, H, W) and multi-hot targets (B, P * K) float32: entry
``K * position + digit`` is 1 (P = 3 positions, K = 10 digits). The model returns P * K
logits; the loss is binary cross-entropy on their sigmoids,
``F.binary_cross_entropy_with_logits`` (one yes/no question per output).

Metrics (``p = sigmoid(logit)``):

* ``accuracy``: exact match, all P digits right, each read as the argmax of its K outputs;
* ``digit_accuracy``: the fraction of single digits right;
* ``binary_accuracy``: the fraction of the P * K outputs on the right side of 0.5 (what
  Keras reports as "accuracy" for a sigmoid + binary cross-entropy model: high even when
  digits are wrong, since 27 of the 30 answers are "no");
* ``precision``, ``recall``, ``f1``: over the P * K outputs with ``p > 0.5``, counted over
  all outputs (micro average).
"""
from __future__ import annotations

import numpy as np

from ... import no_grad
from ...nn import functional as F
from ..feature_maps import feature_maps
from ..metrics import MeanTracker, precision_recall_f1
from ..plots import plot_examples
from ..task import Evaluation, Examples, SingleModelTask, to_numpy
from .classification import feature_map_plot

EXAMPLES = 16


def digits_of(scores: np.ndarray, positions: int) -> np.ndarray:
    """(B, P * K) scores -> (B, P) digits: the argmax within each position's K outputs."""
    return scores.reshape(len(scores), positions, -1).argmax(axis=2)


class MultiLabelTask(SingleModelTask):
    kind = "multilabel"

    def __init__(self, model, positions: int = 3, classes: int = 10, device: str = "cpu"):
        super().__init__(model, device)
        self.positions, self.classes = positions, classes

    def losses(self, logits, batch) -> dict:
        targets = batch[1]
        exact = (digits_of(to_numpy(logits), self.positions)
                 == digits_of(to_numpy(targets), self.positions)).all(axis=1).mean()
        return {"loss": F.binary_cross_entropy_with_logits(logits, targets),
                "accuracy": float(exact)}

    def evaluate(self, loader) -> Evaluation:
        means = MeanTracker()
        score_batches: list = []
        target_batches: list = []
        examples = Examples(EXAMPLES)
        maps: list = []
        with no_grad():
            for batch in loader:
                images, targets = self.to_device(batch)
                logits = self.model(images)
                means.add({"loss": F.binary_cross_entropy_with_logits(logits, targets).item()},
                          len(images))
                score_batches.append(to_numpy(logits))
                target_batches.append(to_numpy(targets))
                maps = maps or feature_maps(self.model, images[:1])
                examples.add(images=to_numpy(images), scores=score_batches[-1],
                             targets=target_batches[-1])
        scores, truths = np.concatenate(score_batches), np.concatenate(target_batches) > 0.5
        predicted_digits = digits_of(scores, self.positions)
        true_digits = digits_of(truths.astype(np.float32), self.positions)
        right = predicted_digits == true_digits
        prf = precision_recall_f1(scores > 0.0, truths)  # p > 0.5 <=> logit > 0
        metrics = {**means.means(), "accuracy": float(right.all(axis=1).mean()),
                   "digit_accuracy": float(right.mean()),
                   "binary_accuracy": float(((scores > 0.0) == truths).mean()),
                   "precision": prf["precision"], "recall": prf["recall"], "f1": prf["f1"]}
        per_label = prf["per_label"]
        details = {"accuracy_per_position": right.mean(axis=0).tolist(),
                   "f1_per_position_and_digit": per_label["f1"].reshape(
                       self.positions, self.classes).tolist(),
                   "precision_per_position_and_digit": per_label["precision"].reshape(
                       self.positions, self.classes).tolist(),
                   "recall_per_position_and_digit": per_label["recall"].reshape(
                       self.positions, self.classes).tolist()}
        return Evaluation(metrics, details, {**examples.items, "feature_maps": maps})

    def curve_panels(self) -> list:
        return [("binary cross-entropy loss", ["train_loss", "val_loss"]),
                ("exact-match accuracy", ["train_accuracy", "val_accuracy"]),
                ("validation scores", ["val_digit_accuracy", "val_binary_accuracy",
                                       "val_precision", "val_recall", "val_f1"])]

    def write_plots(self, evaluation: Evaluation, folder, prefix: str = "") -> list:
        examples = evaluation.examples
        if not examples.get("images"):
            return []

        def text(scores):
            return ["".join(str(d) for d in row)
                    for row in digits_of(np.stack(scores), self.positions)]

        split = prefix.rstrip("_") or "validation"
        return [plot_examples(examples["images"], text(examples["scores"]),
                              text(examples["targets"]), folder / f"{prefix}examples.png",
                              f"example predictions ({split}), exact-match accuracy "
                              f"{evaluation.metrics['accuracy']:.2%}"),
                *([feature_map_plot(examples, folder, prefix)] if examples["feature_maps"]
                  else [])]
