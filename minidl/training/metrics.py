"""Metrics of classifiers, computed from NumPy arrays of predictions and targets.

``confusion_matrix(predicted, target, k)``
    ``C[i, j]`` = number of samples of true class ``i`` predicted as class ``j``
    (rows: truth, columns: prediction). Accuracy is ``trace(C) / C.sum()``; the accuracy
    of class ``i`` (its recall) is ``C[i, i] / C[i].sum()``.
``precision_recall_f1(predicted, target)``
    For boolean arrays of equal shape (multi-label: one column per label), with true
    positives ``TP = sum(p & t)``, ``FP = sum(p & ~t)``, ``FN = sum(~p & t)``:
    ``precision = TP / (TP + FP)``, ``recall = TP / (TP + FN)``,
    ``F1 = 2 precision recall / (precision + recall)``; ``micro`` counts over every entry,
    ``per_label`` counts each column (an empty denominator gives 0).
:class:`MeanTracker` averages per-batch values weighted by the batch size.
"""
from __future__ import annotations

import numpy as np


def confusion_matrix(predicted, target, num_classes: int) -> np.ndarray:
    """(num_classes, num_classes) int64 counts; rows are true classes."""
    predicted = np.asarray(predicted, dtype=np.int64).ravel()
    target = np.asarray(target, dtype=np.int64).ravel()
    if predicted.shape != target.shape:
        raise ValueError(f"confusion_matrix: {predicted.size} predictions for "
                         f"{target.size} targets")
    return np.bincount(target * num_classes + predicted,
                       minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def per_class_accuracy(confusion: np.ndarray) -> np.ndarray:
    """Recall of each class (NaN for a class with no samples)."""
    totals = confusion.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, np.diag(confusion) / np.maximum(totals, 1), np.nan)


def _ratio(numerator, denominator):
    numerator, denominator = np.asarray(numerator, float), np.asarray(denominator, float)
    return np.where(denominator > 0, numerator / np.maximum(denominator, 1), 0.0)


def precision_recall_f1(predicted, target) -> dict:
    """Micro-averaged and per-label precision, recall and F1 of boolean arrays (N, L)."""
    predicted, target = np.asarray(predicted, bool), np.asarray(target, bool)
    if predicted.shape != target.shape:
        raise ValueError(f"precision_recall_f1: predictions {predicted.shape} and targets "
                         f"{target.shape} differ in shape")
    predicted, target = predicted.reshape(len(predicted), -1), target.reshape(len(target), -1)
    tp = (predicted & target).sum(axis=0)
    fp = (predicted & ~target).sum(axis=0)
    fn = (~predicted & target).sum(axis=0)

    def scores(tp, fp, fn):
        precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        return precision, recall, _ratio(2 * precision * recall, precision + recall)

    micro = scores(tp.sum(), fp.sum(), fn.sum())
    per_label = scores(tp, fp, fn)
    return {"precision": float(micro[0]), "recall": float(micro[1]), "f1": float(micro[2]),
            "per_label": {"precision": per_label[0], "recall": per_label[1],
                          "f1": per_label[2]}}


class MeanTracker:
    """Running means of named values, each batch weighted by its size."""

    def __init__(self):
        self.sums: dict[str, float] = {}
        self.count = 0

    def add(self, values: dict, count: int) -> None:
        for name, value in values.items():
            self.sums[name] = self.sums.get(name, 0.0) + float(value) * count
        self.count += count

    def means(self) -> dict:
        return {name: total / max(self.count, 1) for name, total in self.sums.items()}
