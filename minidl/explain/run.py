"""Explaining a trained run: which images, which class scores, the plots and the numbers.

``explain_run(run_dir, images, methods, ...)`` loads a classification run (colorized-mnist,
multidigit-mnist, or an iizuka run with a classifier), takes the first ``count`` images of
its test split (or image files), and computes each method's map for the predicted class
(or the true one, or a given class). It writes one grid per method (inputs on top, the
maps over them below) and ``explain.json``: per image the classes and, where the dataset
knows the digit strokes (colorized MNIST), the share of each map on the strokes — the
number that says whether the model looks at the digit or at its background.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..autograd.grad_mode import no_grad
from ..creation import tensor
from ..data import Subset
from .methods import grad_cam, occlusion, saliency, stroke_share

METHODS = ("saliency", "gradcam", "occlusion")


class ExplainError(ValueError):
    """The run or the request cannot be explained (the message says why)."""


def class_scores(task):
    """``images -> (N, K)`` class scores of the run's model, and how to read a label."""
    kind = getattr(task, "kind", "")
    model = task.models.get("model")
    if getattr(task, "task", None) in ("classify", "joint"):  # iizuka: (ab, logits)
        return lambda x: model(x).logits, (lambda sample: int(sample[2]))
    if kind == "classification":
        return model, (lambda sample: int(sample[1]))
    if kind == "multilabel":
        return model, (lambda sample: int(np.argmax(np.asarray(sample[1]))))
    raise ExplainError(f"minidl explain works on classifiers; this run's task is {kind!r} "
                       "(a colourizer has no class to explain)")


def _underlying(dataset, indices):
    """(base dataset, its indices) through any Subset wrappers."""
    indices = np.asarray(indices)
    while isinstance(dataset, Subset):
        indices = np.asarray(dataset.indices, dtype=np.int64).reshape(-1)[indices]
        dataset = dataset.dataset
    return dataset, indices


def test_images(dataset, count: int, read_label):
    """The first ``count`` images of ``dataset``, their labels and stroke masks (or None)."""
    count = min(count, len(dataset))
    samples = [dataset[i] for i in range(count)]
    images = np.stack([np.asarray(s[0], dtype=np.float32) for s in samples])
    labels = np.array([read_label(s) for s in samples])
    base, indices = _underlying(dataset, np.arange(count))
    strokes = base.stroke_masks(indices) if hasattr(base, "stroke_masks") else None
    return images, labels, strokes, [f"test image {i}" for i in range(count)]


def file_images(paths, model, task):
    """Image files as the model's input: resized to its input size, RGB or one channel
    (L*/100 for the iizuka models, luminance otherwise)."""
    from ..color import rgb_to_grayscale, rgb_to_lab
    from ..datasets.image_folder import load_image

    channels, height, width = model.example_input_shape[1:]
    images = []
    for path in paths:
        rgb = load_image(path, "RGB", size=(height, width)).astype(np.float32) / 255.0
        rgb = rgb.transpose(2, 0, 1)
        if channels == 3:
            images.append(rgb)
        elif hasattr(task, "task"):  # the iizuka models read L*/100
            images.append(rgb_to_lab(rgb, axis=0)[:1] / 100.0)
        else:
            images.append(rgb_to_grayscale(rgb, axis=0))
    return np.stack(images).astype(np.float32), None, None, [Path(p).name for p in paths]


def explain(task, images: np.ndarray, labels, strokes, names, methods, target="predicted",
            patch: int = 4):
    """Each method's maps and the per-image record."""
    scores_fn, _ = class_scores(task)
    model = task.models["model"]
    x = tensor(images)
    with no_grad():
        scores = scores_fn(x).numpy()
    predicted = scores.argmax(axis=1)
    if target == "predicted":
        chosen = predicted
    elif target == "true":
        if labels is None:
            raise ExplainError("--target true needs labelled images (the run's test split)")
        chosen = np.asarray(labels)
    else:
        chosen = np.full(len(images), int(target))
    maps = {}
    for method in methods:
        if method == "saliency":
            maps[method] = saliency(scores_fn, x, chosen)
        elif method == "gradcam":
            maps[method] = grad_cam(scores_fn, model, x, chosen)[0]
        elif method == "occlusion":
            maps[method] = occlusion(scores_fn, x, chosen, patch=patch, stride=max(1, patch // 2))
        else:
            raise ExplainError(f"method must be one of {METHODS}, got {method!r}")
    records = []
    for i, name in enumerate(names):
        record = {"image": name, "target": int(chosen[i]), "predicted": int(predicted[i])}
        if labels is not None:
            record["true"] = int(labels[i])
        if strokes is not None:
            record["stroke_share"] = {m: float(stroke_share(maps[m][i:i + 1], strokes[i:i + 1])[0])
                                      for m in methods}
        records.append(record)
    summary: dict = {}
    if labels is not None:
        summary["accuracy"] = float((predicted == np.asarray(labels)).mean())
    if strokes is not None:
        summary["stroke_area"] = float(strokes.mean())
        summary["stroke_share"] = {m: float(stroke_share(maps[m], strokes).mean())
                                   for m in methods}
    return maps, records, summary


def write_grid(path, images: np.ndarray, maps: np.ndarray, names, title: str,
               per_row: int = 8) -> Path:
    """Each image above its map (the map over the faded image), ``per_row`` images a row."""
    from matplotlib.figure import Figure

    count = len(images)
    columns = min(count, per_row)
    bands = -(-count // columns)
    figure = Figure(figsize=(1.6 * columns + 0.4, 3.4 * bands + 0.4))
    axes = figure.subplots(2 * bands, columns, squeeze=False)
    for axis in axes.flat:
        axis.set_xticks([])
        axis.set_yticks([])
        axis.set_frame_on(False)
    for i in range(count):
        band, column = divmod(i, columns)
        top, bottom = axes[2 * band, column], axes[2 * band + 1, column]
        image = images[i]
        shown = image[0] if image.shape[0] == 1 else image.transpose(1, 2, 0)
        kwargs = {"cmap": "gray", "vmin": 0, "vmax": 1} if image.shape[0] == 1 else {}
        top.imshow(np.clip(shown, 0, 1), **kwargs)
        top.set_title(names[i], fontsize=7)
        bottom.imshow(np.clip(shown, 0, 1), alpha=0.35, **kwargs)
        bottom.imshow(maps[i], cmap="jet", alpha=0.65)
    figure.suptitle(title)
    figure.savefig(path, dpi=100)
    return Path(path)


def explain_run(run_dir, image_paths=(), methods=METHODS, count: int = 8,
                target: str = "predicted", out=None, data_dir=None, patch: int = 4,
                split: str = "test", note=lambda text: None):
    """Explain the run at ``run_dir``; returns (written paths, summary). ``note(text)``
    hears of a fallback to checkpoint.prev.h5."""
    from ..studies.runner import load_trained

    trained = load_trained(run_dir, need_data=not image_paths, data_dir=data_dir, note=note)
    run, config, task, data = trained.run, trained.config, trained.task, trained.data
    _, read_label = class_scores(task)
    if image_paths:
        images, labels, strokes, names = file_images(image_paths, task.models["model"], task)
    else:
        dataset = data.test if split == "test" else data.val
        images, labels, strokes, names = test_images(dataset, count, read_label)
    maps, records, summary = explain(task, images, labels, strokes, names, methods, target,
                                     patch)
    out = Path(out) if out is not None else run.path / "explain"
    out.mkdir(parents=True, exist_ok=True)
    captions = [f"{r['image']}\npredicted {r['predicted']}"
                + (f", true {r['true']}" if "true" in r else "") for r in records]
    written = [write_grid(out / f"{method}.png", images, maps[method], captions,
                          f"{method}: {config['study']} / {config['experiment']}")
               for method in methods]
    report = {"run": str(run.path), "methods": list(methods), "target": target,
              "summary": summary, "images": records}
    (out / "explain.json").write_text(json.dumps(report, indent=2) + "\n")
    np.savez_compressed(out / "maps.npz", images=images, **maps)
    written += [out / "explain.json", out / "maps.npz"]
    return written, summary
