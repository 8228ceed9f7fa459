"""The plots of a run, as PNG files (matplotlib, imported only when a plot is drawn).

``plot_curves``              one panel per group of metrics against the epoch
                             (train and validation loss, accuracy, GAN losses ...)
``plot_confusion_matrix``    counts of true class (rows) against predicted class (columns)
``plot_examples``            images captioned with the prediction and the truth (red when
                             wrong)
``plot_colorization_grid``   one row per image: grayscale input | prediction | original
``plot_feature_maps``        an image and the first channels of each layer's activations

Images are NumPy arrays (N, C, H, W) with values in [0, 1]; C is 1 (shown in gray) or 3.
Figures are built with ``matplotlib.figure.Figure``, which needs no GUI and no pyplot
state, and are saved with the Agg renderer.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np


def _figure(width: float, height: float):
    from matplotlib.figure import Figure  # here, so `import minidl` stays quick
    return Figure(figsize=(width, height))


def _save(figure, path) -> Path:
    path = Path(path)
    figure.savefig(path, dpi=100)
    return path


def _show_image(axis, image: np.ndarray) -> None:
    """Draw a (C, H, W) image in [0, 1] without axes."""
    image = np.asarray(image, dtype=np.float32)
    if image.shape[0] == 1:
        axis.imshow(image[0], cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    else:
        axis.imshow(image.transpose(1, 2, 0).clip(0.0, 1.0), interpolation="nearest")
    axis.set_xticks([])
    axis.set_yticks([])


def plot_curves(history: list, panels: list, path, title: str) -> Path:
    """``panels``: ``[(panel title, [metric keys])]``; each key present in ``history`` (a
    list of per-epoch records with an ``epoch`` entry) is drawn as a line."""
    panels = [(name, [key for key in keys if any(key in record for record in history)])
              for name, keys in panels]
    panels = [(name, keys) for name, keys in panels if keys]
    columns = min(3, max(len(panels), 1))
    rows = max(math.ceil(len(panels) / columns), 1)
    figure = _figure(4.2 * columns, 3.2 * rows + 0.5)
    axes = figure.subplots(rows, columns, squeeze=False)
    for axis in axes.flat[len(panels):]:
        axis.axis("off")
    for axis, (name, keys) in zip(axes.flat, panels):
        for key in keys:
            points = [(record["epoch"], record[key]) for record in history if key in record]
            epochs, values = zip(*points)
            axis.plot(epochs, values, marker="o" if len(points) <= 30 else None,
                      markersize=3, label=key)
        axis.set_title(name)
        axis.set_xlabel("epoch")
        axis.grid(alpha=0.3)
        axis.legend(fontsize=7)
        if len(history) < 12:
            axis.set_xticks([record["epoch"] for record in history])
    figure.suptitle(title)
    figure.tight_layout()
    return _save(figure, path)


def plot_confusion_matrix(matrix, class_names, path, title: str) -> Path:
    """A heat map of ``matrix`` (rows: true class, columns: predicted), counts written in
    each cell."""
    matrix = np.asarray(matrix)
    k = len(matrix)
    size = max(4.0, 0.45 * k + 2.0)
    figure = _figure(size + 1.0, size)
    axis = figure.subplots()
    image = axis.imshow(matrix, cmap="Blues")
    figure.colorbar(image, ax=axis, fraction=0.046, pad=0.04)
    axis.set_xticks(range(k), [str(n) for n in class_names], rotation=90 if k > 10 else 0,
                    fontsize=8)
    axis.set_yticks(range(k), [str(n) for n in class_names], fontsize=8)
    axis.set_xlabel("predicted")
    axis.set_ylabel("true")
    if k <= 30:
        threshold = matrix.max() / 2 if matrix.size else 0
        for i in range(k):
            for j in range(k):
                axis.text(j, i, str(matrix[i, j]), ha="center", va="center",
                          fontsize=8 if k <= 12 else 6,
                          color="white" if matrix[i, j] > threshold else "black")
    axis.set_title(title)
    figure.tight_layout()
    return _save(figure, path)


def plot_examples(images, predicted, true, path, title: str) -> Path:
    """A grid of images captioned ``pred P / true T`` (``predicted``, ``true``: the labels
    as text)."""
    count = len(images)
    columns = min(8, max(count, 1))
    rows = max(math.ceil(count / columns), 1)
    figure = _figure(1.5 * columns, 1.7 * rows + 0.5)
    axes = figure.subplots(rows, columns, squeeze=False)
    for axis in axes.flat:
        axis.axis("off")
    for axis, image, guess, truth in zip(axes.flat, images, predicted, true):
        _show_image(axis, image)
        axis.axis("on")
        axis.set_title(f"pred {guess}\ntrue {truth}", fontsize=7,
                       color="black" if guess == truth else "red")
    figure.suptitle(title)
    figure.tight_layout()
    return _save(figure, path)


def plot_colorization_grid(gray, predicted, original, path, title: str,
                           columns=("grayscale", "prediction", "original")) -> Path:
    """One row per image: ``gray`` (N, 1, H, W) | ``predicted`` (N, 3, H, W) |
    ``original`` (N, 3, H, W), all in [0, 1]."""
    count = len(predicted)
    figure = _figure(2.2 * 3, 2.2 * count + 0.6)
    axes = figure.subplots(count, 3, squeeze=False)
    for row in range(count):
        for column, images in enumerate((gray, predicted, original)):
            _show_image(axes[row, column], images[row])
            if row == 0:
                axes[row, column].set_title(columns[column], fontsize=9)
    figure.suptitle(title)
    figure.tight_layout()
    return _save(figure, path)


def plot_feature_maps(image, maps, path, title: str, channels: int = 8) -> Path:
    """``image`` (C, H, W) in [0, 1] and ``maps`` ``[(name, (C', H', W'))]``: one row per
    layer, its first ``channels`` maps, each scaled to its own range."""
    rows = len(maps) + 1
    figure = _figure(1.3 * channels, 1.45 * rows + 0.5)
    axes = figure.subplots(rows, channels, squeeze=False)
    for axis in axes.flat:
        axis.axis("off")
    _show_image(axes[0, 0], image)
    axes[0, 0].set_title("input", fontsize=8)
    for row, (name, activations) in enumerate(maps, start=1):
        for column, plane in enumerate(activations[:channels]):
            axes[row, column].imshow(plane, cmap="viridis", interpolation="nearest")
            if column == 0:
                axes[row, column].set_title(f"{name}: {activations.shape[0]} maps "
                                            f"{activations.shape[1]}x{activations.shape[2]}",
                                            fontsize=7, loc="left")
    figure.suptitle(title)
    figure.tight_layout()
    return _save(figure, path)
